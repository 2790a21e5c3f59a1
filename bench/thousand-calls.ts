/**
 * The 1,000-call row of `npm run bench`: one --print session in which the model reads a small
 * file 1,000 times (different line windows, so the repeat guard stays quiet), then answers.
 * Measured: wall time and the CLI's peak RSS, beside a 4-call session of the same shape.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reply, startFakeOpenAI } from "../test/support/fake-openai.js";
import { mib, runCli, type Timed } from "./cli-run.js";

export async function sessionOf(calls: number, nodeArgs: string[] = []): Promise<Timed> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));
  writeFileSync(join(dir, "notes.txt"), Array.from({ length: 50 }, (_, i) => `line ${i + 1} of the notes, some ordinary text`).join("\n") + "\n");
  let step = 0;
  const fake = await startFakeOpenAI([], {
    respond: () => {
      step++;
      return step <= calls ? reply().tool("read_file", { path: "notes.txt", offset: (step % 40) + 1, limit: 10 }) : reply().text("Read them all.");
    },
  });
  try {
    return await runCli(dir, fake, `read notes.txt ${calls} times`, ["--max-iterations", String(calls + 10)], nodeArgs);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function thousandCallsRow(): Promise<string> {
  const small = await sessionOf(4);
  const long = await sessionOf(1000);
  return (
    `1,000-call --print session (small reads): ${(long.ms / 1000).toFixed(1)} s · ${mib(long.rssKb)} peak RSS ` +
    `(4 calls: ${(small.ms / 1000).toFixed(1)} s · ${mib(small.rssKb)}) · target ≤ 100 MiB`
  );
}
