/**
 * The 1,000-call row of `npm run bench`: one --print session in which the model reads a small
 * file 1,000 times (different line windows, so the repeat guard stays quiet), then answers.
 * Measured: wall time and the CLI's peak RSS, beside a 4-call session of the same shape; and how
 * the time between two requests grows with the history: the fake server notes when each request
 * arrives, and the gap between two arrivals is one tool round (reply streamed, tool run, next
 * body built and sent, and parsed by the fake server), compared near call 10 and near call 1,000.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reply, startFakeOpenAI } from "../test/support/fake-openai.js";
import { median, mib, runCli, type Timed } from "./cli-run.js";

export interface Session extends Timed {
  /** Milliseconds from each request's arrival at the fake server to the next one's. */
  gaps: number[];
  /** Bytes of the request bodies near call 10 and of the last one (measured for those two only). */
  bodyBytes: { early: number; last: number };
}

export async function sessionOf(calls: number, nodeArgs: string[] = []): Promise<Session> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));
  writeFileSync(join(dir, "notes.txt"), Array.from({ length: 50 }, (_, i) => `line ${i + 1} of the notes, some ordinary text`).join("\n") + "\n");
  let step = 0;
  const arrivals: number[] = [];
  const bodyBytes = { early: 0, last: 0 };
  const fake = await startFakeOpenAI([], {
    respond: (body) => {
      arrivals.push(performance.now());
      step++;
      if (step === 10) bodyBytes.early = Buffer.byteLength(JSON.stringify(body));
      if (step === calls + 1) bodyBytes.last = Buffer.byteLength(JSON.stringify(body));
      return step <= calls ? reply().tool("read_file", { path: "notes.txt", offset: (step % 40) + 1, limit: 10 }) : reply().text("Read them all.");
    },
  });
  try {
    const run = await runCli(dir, fake, `read notes.txt ${calls} times`, ["--max-iterations", String(calls + 10)], nodeArgs);
    return { ...run, gaps: arrivals.slice(1).map((t, i) => t - arrivals[i]), bodyBytes };
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function thousandCallsRow(): Promise<string> {
  const small = await sessionOf(4);
  const long = await sessionOf(1000);
  // Medians (a collection, or another process on a busy machine, can stall a few): ten gaps
  // around call 10, and the last fifty.
  const early = median(long.gaps.slice(5, 15));
  const late = median(long.gaps.slice(-50));
  const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
  return (
    `1,000-call --print session (small reads): ${(long.ms / 1000).toFixed(1)} s · ${mib(long.rssKb)} peak RSS ` +
    `(4 calls: ${(small.ms / 1000).toFixed(1)} s · ${mib(small.rssKb)}) · target ≤ 100 MiB · ` +
    `request to request: ${early.toFixed(1)} ms near call 10 (body ${kib(long.bodyBytes.early)}), ` +
    `${late.toFixed(1)} ms near call 1,000 (body ${kib(long.bodyBytes.last)})`
  );
}
