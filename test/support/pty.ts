import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  /** The same, row by row, each marked when the terminal wrapped it (a line too wide for the screen). */
  rows(): Promise<{ text: string; wrapped: boolean }[]>;
  /** Resize the terminal as a person dragging its window would: the CLI gets SIGWINCH. */
  resize(columns: number): void;
  /** Resolves when the screen (after `from` characters) matches. */
  waitFor(pattern: string | RegExp, options?: { from?: number; timeoutMs?: number }): Promise<void>;
  done: Promise<{ code: number | null }>;
  /** Ctrl-D at the prompt, as a person leaves; resolves when the CLI has exited. */
  quit(): Promise<{ code: number | null }>;
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
  // The pty's name, so that resize() can set its size from outside (the kernel then sends SIGWINCH).
  const ttyFile = join(mkdtempSync(join(tmpdir(), "pty-")), "tty");
  // -q quiet, -f flush, -e return the child's exit code; the typescript file is /dev/null.
  const child = spawn("script", ["-qfec", `stty cols ${options.columns ?? 100} rows 40 2>/dev/null; tty > ${quote(ttyFile)}; exec ${command}`, "/dev/null"], {
    cwd: options.cwd,
    env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let raw = "";
  /** Where in the output each resize happened, to replay it at the same point. */
  const resizes: { at: number; columns: number }[] = [];
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
    rendered: async () => (await emulate(raw, options.columns ?? 100, resizes)).map((row) => row.text).join("\n").replace(/\n+$/, ""),
    rows: () => emulate(raw, options.columns ?? 100, resizes),
    resize: (columns) => {
      resizes.push({ at: raw.length, columns });
      execFileSync("stty", ["-F", readFileSync(ttyFile, "utf8").trim(), "cols", String(columns), "rows", "40"]);
    },
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
    quit: () => {
      child.stdin!.write("\x04");
      return done;
    },
    kill: () => child.kill("SIGKILL"),
  };
}

/** The REPL in a pty, once its first prompt is up. */
export async function startRepl(args: string[], options: CliOptions & { columns?: number }): Promise<PtySession> {
  const pty = startPty(args, options);
  await pty.waitFor("mini-claude> ");
  return pty;
}

/** Replays terminal output through @xterm/headless (resized where the CLI's was) and returns the rows a person would see. */
async function emulate(output: string, columns: number, resizes: { at: number; columns: number }[]): Promise<{ text: string; wrapped: boolean }[]> {
  const { default: xterm } = await import("@xterm/headless");
  const terminal = new xterm.Terminal({ cols: columns, rows: 40, scrollback: 5000, allowProposedApi: true });
  // script turns "\n" into "\r\n" already; the emulator needs the raw bytes as the TTY sent them.
  const write = (text: string) => new Promise<void>((resolve) => terminal.write(text, resolve));
  let from = 0;
  for (const { at, columns } of resizes) {
    await write(output.slice(from, at));
    terminal.resize(columns, 40);
    from = at;
  }
  await write(output.slice(from));
  const buffer = terminal.buffer.active;
  const rows: { text: string; wrapped: boolean }[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    rows.push({ text: line?.translateToString(true) ?? "", wrapped: line?.isWrapped ?? false });
  }
  terminal.dispose();
  while (rows.length && !rows.at(-1)!.text) rows.pop();
  return rows;
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-B]|\r/g, "");
}
