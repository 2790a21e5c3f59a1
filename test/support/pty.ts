import { spawn } from "node:child_process";
import { CLI, type CliOptions } from "./run-cli.js";

/**
 * Runs the real CLI in a pseudo-terminal through util-linux `script` (on every Debian machine),
 * so readline is in raw mode and Ctrl-C is a keypress, exactly as for a person.
 */
export interface PtySession {
  /** Type text; "\r" is Enter, "\x03" is Ctrl-C, "\x04" is Ctrl-D. */
  type(text: string): void;
  /** Everything written so far, byte for byte as the terminal received it. */
  raw(): string;
  /** Everything written so far, escape codes removed (text later overwritten is still in it). */
  screen(): string;
  /** What a person sees: the output replayed through a terminal emulator, scrollback included. */
  rendered(): Promise<string>;
  /** Resolves when the screen (after `from` characters) matches. */
  waitFor(pattern: string | RegExp, options?: { from?: number; timeoutMs?: number }): Promise<void>;
  done: Promise<{ code: number | null }>;
  kill(): void;
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

export function startPty(args: string[], options: CliOptions & { columns?: number }): PtySession {
  const command = [process.execPath, CLI, ...args].map(quote).join(" ");
  const env = {
    PATH: process.env.PATH,
    HOME: options.home,
    MINI_CLAUDE_HOME: options.home,
    SHELL: "/bin/sh",
    TERM: "xterm-256color",
    LANG: "C.UTF-8",
    COLUMNS: String(options.columns ?? 100),
    LINES: "40",
    MINI_CLAUDE_LOCAL_PORTS: "1",
    ...(options.baseURL ? { OPENAI_BASE_URL: options.baseURL, OPENAI_API_KEY: "test-key", MINI_CLAUDE_MODEL: "fake-model" } : {}),
    ...options.env,
  };
  // -q quiet, -f flush, -e return the child's exit code; the typescript file is /dev/null.
  const child = spawn("script", ["-qfec", `stty cols ${options.columns ?? 100} rows 40 2>/dev/null; exec ${command}`, "/dev/null"], {
    cwd: options.cwd,
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let raw = "";
  child.stdout!.setEncoding("utf8").on("data", (d) => (raw += d));
  child.stderr!.setEncoding("utf8").on("data", (d) => (raw += d));
  const screen = () => stripAnsi(raw);
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  const done = new Promise<{ code: number | null }>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code });
    }),
  );
  return {
    type: (text) => child.stdin!.write(text),
    raw: () => raw,
    screen,
    rendered: () => emulate(raw, options.columns ?? 100),
    waitFor: (pattern, { from = 0, timeoutMs = 10_000 } = {}) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          const text = screen().slice(from);
          if (typeof pattern === "string" ? text.includes(pattern) : pattern.test(text)) return resolve();
          if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${pattern}; screen:\n${screen()}`));
          setTimeout(check, 20);
        };
        check();
      }),
    done,
    kill: () => child.kill("SIGKILL"),
  };
}

/** Replays terminal output through @xterm/headless and returns the lines a person would see. */
async function emulate(output: string, columns: number): Promise<string> {
  const { default: xterm } = await import("@xterm/headless");
  const terminal = new xterm.Terminal({ cols: columns, rows: 40, scrollback: 5000, allowProposedApi: true });
  // script turns "\n" into "\r\n" already; the emulator needs the raw bytes as the TTY sent them.
  await new Promise<void>((resolve) => terminal.write(output, resolve));
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
  terminal.dispose();
  return lines.join("\n").replace(/\n+$/, "");
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-B]|\r/g, "");
}
