/**
 * Benchmarks a user can rerun: `npm run bench` (after `npm run build`).
 * - start-up: `mini-claude --version` beside bare `node -e ''`, median of N runs;
 * - the scripted 4-turn task (read, edit, run, answer) through --print against a loopback fake
 *   OpenAI server: wall time and peak RSS of the CLI process;
 * - the tokens sent on every request: system prompt plus tool schemas, and the agent tool's apart
 *   (bench/agent-tool.ts);
 * - a long session: 60 reads against a 16k-window server (bench/long-session.ts);
 * - grep and list_files on a generated 19.6k-file tree and on node_modules, beside rg (bench/search.ts);
 * - five read-only calls in one reply, sequential vs parallel (bench/parallel-reads.ts);
 * - a 1,000-call --print session's time, peak RSS and request-to-request time (bench/thousand-calls.ts).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { systemPrompt } from "../src/extend/system-prompt.js";
import { tools, toolSpecs, toolsForMode } from "../src/tools/index.js";
import { exitPlanModeTool } from "../src/tools/exit-plan-mode.js";
import { reply, startFakeOpenAI } from "../test/support/fake-openai.js";
import { CLI } from "../test/support/run-cli.js";
import { hasTime, median, timedSpawn } from "./cli-run.js";
import { agentToolRows } from "./agent-tool.js";
import { longSessionRow } from "./long-session.js";
import { parallelReadsRows } from "./parallel-reads.js";
import { searchRows } from "./search.js";
import { thousandCallsRow } from "./thousand-calls.js";

const RUNS = Number(process.env.RUNS ?? 10);

function timed(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { ms: number; rssKb?: number; status: number | null; stderr: string } {
  const command = hasTime ? "/usr/bin/time" : process.execPath;
  const argv = hasTime ? ["-f", "RSS_KB=%M", process.execPath, ...args] : args;
  const started = process.hrtime.bigint();
  const result = spawnSync(command, argv, { cwd: options.cwd, env: options.env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rss = /RSS_KB=(\d+)/.exec(result.stderr ?? "");
  return { ms, rssKb: rss ? Number(rss[1]) : undefined, status: result.status, stderr: result.stderr };
}


async function main() {
  const node = Array.from({ length: RUNS }, () => timed(["-e", ""]).ms);
  const version = Array.from({ length: RUNS }, () => timed([CLI, "--version"]).ms);
  console.log(`start-up   node -e '' ${median(node).toFixed(0)} ms · mini-claude --version ${median(version).toFixed(0)} ms · ratio ${(median(version) / median(node)).toFixed(2)}`);

  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const base = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));
    writeFileSync(join(base, "app.js"), "console.log('hello ' + 'world');\n");
    const fake = await startFakeOpenAI([
      reply().tool("read_file", { path: "app.js" }),
      reply().tool("edit_file", { path: "app.js", old_string: "'world'", new_string: "'bench'" }),
      reply().tool("exec", { command: "node app.js" }),
      reply().text("It prints hello bench."),
    ]);
    // spawnSync blocks this event loop, so the fake server must run elsewhere: use the async form.
    const run = await timedSpawn(process.execPath, [CLI, "--yes", "-p", "change world to bench and run it"], {
      cwd: base,
      env: { PATH: process.env.PATH, HOME: base, MINI_CLAUDE_HOME: base, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "x", MINI_CLAUDE_MODEL: "fake" },
    });
    await fake.close();
    if (run.status !== 0 || !readFileSync(join(base, "app.js"), "utf8").includes("bench")) {
      throw new Error(`the 4-turn task failed: ${run.stderr}`);
    }
    rmSync(base, { recursive: true, force: true });
    times.push(run.ms);
    if (run.rssKb) rss.push(run.rssKb);
  }
  const peak = rss.length ? `${(Math.max(...rss) / 1024).toFixed(0)} MiB peak RSS` : "peak RSS n/a (no /usr/bin/time)";
  console.log(`4-turn task (read, edit, run, answer) via --print: median ${median(times).toFixed(0)} ms · ${peak}`);

  const flood = await startFakeOpenAI([reply().tool("exec", { command: "yes | head -c 200000000" }), reply().text("Lots of y.")]);
  const floodDir = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));
  const floodRun = await timedSpawn(process.execPath, [CLI, "--yes", "-p", "print a lot"], {
    cwd: floodDir,
    env: { PATH: process.env.PATH, HOME: floodDir, MINI_CLAUDE_HOME: floodDir, OPENAI_BASE_URL: flood.url, OPENAI_API_KEY: "x", MINI_CLAUDE_MODEL: "fake" },
  });
  await flood.close();
  rmSync(floodDir, { recursive: true, force: true });
  const floodRss = floodRun.rssKb ? `${(floodRun.rssKb / 1024).toFixed(0)} MiB peak RSS` : "peak RSS n/a";
  console.log(`exec of a command printing 200 MB via --print: ${floodRun.ms.toFixed(0)} ms · ${floodRss}`);

  const prompt = countTokens(systemPrompt({ root: "/home/user/projects/my-app" }));
  const schemas = countTokens(JSON.stringify(toolSpecs()));
  const webFetch = schemas - countTokens(JSON.stringify(toolSpecs(tools.filter((tool) => tool.name !== "web_fetch"))));
  console.log(`tokens per request (o200k): system prompt ${prompt} + tools ${schemas} = ${prompt + schemas} (web_fetch: ${webFetch} of them)`);
  const planSchemas = countTokens(JSON.stringify(toolSpecs(toolsForMode(tools, () => true)())));
  console.log(`plan mode's tools (no write tools, exit_plan_mode added): ${planSchemas}; exit_plan_mode alone: ${countTokens(JSON.stringify(toolSpecs([exitPlanModeTool as never])))}`);
  for (const row of agentToolRows()) console.log(row);
  console.log(await longSessionRow());
  for (const row of await searchRows()) console.log(row);
  for (const row of await parallelReadsRows()) console.log(row);
  console.log(await thousandCallsRow());
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
