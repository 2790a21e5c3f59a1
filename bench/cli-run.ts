/**
 * One run of the built CLI through --print against a scripted fake server, timed, with the peak
 * RSS of the CLI process when /usr/bin/time is there. Shared by the bench rows that need it.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeOpenAI } from "../test/support/fake-openai.js";
import { CLI } from "../test/support/run-cli.js";

export const hasTime = existsSync("/usr/bin/time");

export interface Timed {
  ms: number;
  rssKb?: number;
  status: number | null;
  stderr: string;
}

/** Runs `command` (node when it is process.execPath) under /usr/bin/time when present. */
export function timedSpawn(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Timed> {
  const [file, argv] = hasTime ? ["/usr/bin/time", ["-f", "RSS_KB=%M", command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    child.stdout.resume();
    child.on("close", (status) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const match = /RSS_KB=(\d+)/.exec(stderr);
      resolve({ ms, rssKb: match ? Number(match[1]) : undefined, status, stderr });
    });
  });
}

/**
 * The CLI with `--yes -p prompt` in `cwd`, talking to `fake`; throws when it fails. `keptHome`: a
 * home that outlives the run (what a session remembers for the next); else a fresh one, removed.
 */
export async function runCli(cwd: string, fake: FakeOpenAI, prompt = "go", cliArgs: string[] = [], nodeArgs: string[] = [], keptHome?: string): Promise<Timed> {
  // Transcripts and spill files go to a home of their own, never into the tree being searched.
  const home = keptHome ?? mkdtempSync(join(tmpdir(), "mini-claude-bench-home-"));
  const env = { PATH: process.env.PATH, HOME: home, MINI_CLAUDE_HOME: home, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "x", MINI_CLAUDE_MODEL: "fake" };
  const run = await timedSpawn(process.execPath, [...nodeArgs, CLI, ...cliArgs, "--yes", "-p", prompt], { cwd, env });
  if (!keptHome) rmSync(home, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`the CLI failed (exit ${run.status}): ${run.stderr.slice(-500)}`);
  return run;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const mib = (kb: number | undefined) => (kb === undefined ? "n/a" : `${(kb / 1024).toFixed(0)} MiB`);
