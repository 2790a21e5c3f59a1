/**
 * The long-session row of `npm run bench`: a 60-step read task through --print against a fake
 * server with a real 16k window (it counts every request with o200k and reports that as usage).
 * Measured: requests (summary requests included), compactions, the peak request, the tokens sent
 * in all, and the tokens not covered by a cached prefix of the previous request, which is what a
 * provider with prompt caching (OpenAI, DeepSeek, llama.cpp's slot cache) bills or computes in full.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUMMARY_SYSTEM } from "../src/context/summary-prompt.js";
import { promptTokens, reply, startFakeOpenAI } from "../test/support/fake-openai.js";
import { CLI } from "../test/support/run-cli.js";

const STEPS = 60;
const WINDOW = 16_384;
const WORDS = "alpha beta gamma delta parser render stream buffer token window module export import async await value".split(" ");

export async function longSessionRow(): Promise<string> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));
  for (let f = 1; f <= STEPS; f++) {
    const lines = Array.from({ length: 40 }, (_, i) => `${f}.${i} ${WORDS.map((_, j) => WORDS[(i * 7 + j * f) % WORDS.length]).join(" ")} ${f * 1000 + i}`);
    writeFileSync(join(dir, `f${f}.txt`), lines.join("\n") + "\n");
  }
  let step = 0;
  const fake = await startFakeOpenAI([], {
    window: WINDOW,
    props: true,
    respond: (body) => {
      if (body.messages[0].content === SUMMARY_SYSTEM) return reply().text(`## Goal and constraints\nRead f1..f${STEPS}.\n## Next step\nRead f${step + 1}.txt.`);
      step++;
      return step <= STEPS ? reply().tool("read_file", { path: `f${step}.txt` }) : reply().text("All files read.");
    },
  });
  const env = { PATH: process.env.PATH, HOME: dir, MINI_CLAUDE_HOME: dir, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "x", MINI_CLAUDE_MODEL: "fake" };
  const { code, stderr } = await run([CLI, "--yes", "-p", `Read f1.txt to f${STEPS}.txt one by one, then say done.`], dir, env);
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`the long session failed: ${stderr}`);

  const compactions = stderr.split("\n").filter((line) => line.startsWith("compacted:")).length;
  const total = fake.tokens.reduce((sum, t) => sum + t, 0);
  const uncached = fake.requests.reduce((sum, body, i) => sum + fake.tokens[i] - cachedPrefixTokens(fake.requests[i - 1], body), 0);
  return (
    `long session (${STEPS} reads, ${WINDOW / 1024}k window): ${fake.requests.length} requests · ${compactions} compactions · ` +
    `peak request ${Math.max(...fake.tokens)} tokens · ${total} tokens sent · ${uncached} not covered by the previous request's prefix · ` +
    `${fake.overflows} overflows`
  );
}

/** Tokens of the messages `body` shares, from the start, with the previous request (same tools). */
function cachedPrefixTokens(previous: any, body: any): number {
  if (!previous || JSON.stringify(previous.tools) !== JSON.stringify(body.tools)) return 0;
  let shared = 0;
  while (shared < body.messages.length && shared < previous.messages.length && JSON.stringify(body.messages[shared]) === JSON.stringify(previous.messages[shared])) shared++;
  return shared === 0 ? 0 : promptTokens({ tools: body.tools, messages: body.messages.slice(0, shared) });
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}
