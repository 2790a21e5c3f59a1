import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface CliOptions {
  cwd: string;
  /** Used as MINI_CLAUDE_HOME and HOME, so no real user config is read. */
  home: string;
  /** Base URL of the fake server; omitted: no endpoint configured. */
  baseURL?: string;
  /** Text piped to stdin and then closed; "open" leaves an open, silent pipe; omitted: closed at once. */
  stdin?: string | "open";
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Another copy of the built CLI to run instead of this clone's dist/cli.js. */
  cli?: string;
}

/** The usual spawn options: run in the temp workspace, its own home, against `fake` (if any). */
export function cliOptions(ws: { root: string; home: string }, fake?: { url: string }, extra: Partial<CliOptions> = {}): CliOptions {
  return { cwd: ws.root, home: ws.home, baseURL: fake?.url, ...extra };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr without the one line a machine without the sandbox's packages adds (sandboxLine below). */
  stderr: string;
  /** stderr as printed. */
  rawStderr: string;
}

/**
 * The line --print writes when the sandbox cannot run here (a Mac, a container without bubblewrap).
 * Tests that are not about the sandbox read stderr without it, so they pass on any machine;
 * test/e2e/sandbox.test.ts asserts the line itself on rawStderr.
 */
const SANDBOX_LINE = /^mini-claude: sandbox off: .*\n/m;
export const withoutSandboxLine = (stderr: string) => stderr.replace(SANDBOX_LINE, "");

export interface RunningCli {
  child: ChildProcess;
  /** Everything printed to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<CliResult>;
}

/** Spawn the real, built CLI with a clean environment pointed at the fake server. */
export function startCli(args: string[], options: CliOptions): RunningCli {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: options.home,
    MINI_CLAUDE_HOME: options.home,
    SHELL: "/bin/sh",
    LANG: "C.UTF-8",
    OPENAI_BASE_URL: options.baseURL,
    OPENAI_API_KEY: options.baseURL ? "test-key" : undefined,
    MINI_CLAUDE_MODEL: options.baseURL ? "fake-model" : undefined,
    MINI_CLAUDE_LOCAL_PORTS: "1",
    ...options.env,
  };
  const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
    cwd: options.cwd,
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d) => (stderr += d));
  if (options.stdin !== "open") {
    if (options.stdin) child.stdin!.write(options.stdin);
    child.stdin!.end();
  }
  const timeout = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timeout);
      resolve({ code, signal, stdout, stderr: withoutSandboxLine(stderr), rawStderr: stderr });
    });
  });
  const waitFor = (text: string | RegExp, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        if (typeof text === "string" ? stdout.includes(text) : text.test(stdout)) return resolve();
        if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${text}; stdout: ${stdout}\nstderr: ${stderr}`));
        setTimeout(check, 20);
      };
      check();
    });
  return { child, stdout: () => stdout, stderr: () => withoutSandboxLine(stderr), waitFor, done };
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return startCli(args, options).done;
}
