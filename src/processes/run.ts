/**
 * Shell commands the way an agent needs them: the user's shell in its own session and process group,
 * no terminal, no prompts, output capped while it streams, and a kill that reaches the whole tree.
 * processes.ts builds background jobs on the same primitives.
 *
 * Plain node:child_process rather than execa: execa's timeout and cleanup signal only the direct
 * child, and what we need (detached group, merged output, group kill) is a few lines here.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync, statSync } from "node:fs";
import { Socket, type OnReadOpts, type SocketConstructorOpts } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { promisify } from "node:util";
import { KILL_GRACE_MS, killTreeSync, terminate } from "./process-tree.js";
import { MAX_OUTPUT_BYTES } from "../truncate.js";

/** After the shell exits, how long its output may take to drain before we stop reading it. */
const DRAIN_MS = 250;
/** Size of the one buffer a command's output is read into. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Errors are usually at the end, so most of the budget goes to the tail; 2 KB stays for footers. */
const HEAD_BYTES = Math.floor(MAX_OUTPUT_BYTES / 5);
const TAIL_BYTES = MAX_OUTPUT_BYTES - HEAD_BYTES - 2048;

const SECRET_VARS = new Set(["OPENAI_API_KEY", "DEEPSEEK_API_KEY"]);
const NON_INTERACTIVE: Record<string, string> = {
  CI: "1",
  TERM: "dumb",
  NO_COLOR: "1",
  PAGER: "cat",
  GIT_PAGER: "cat",
  GIT_TERMINAL_PROMPT: "0",
  GIT_EDITOR: "true",
  npm_config_yes: "true",
  DEBIAN_FRONTEND: "noninteractive",
  PIP_NO_INPUT: "1",
  PYTHONUNBUFFERED: "1",
};

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Added to (or, with `undefined`, removed from) the environment built by commandEnv(). */
  env?: Record<string, string | undefined>;
}

export interface RunResult {
  /** stdout and stderr interleaved as a terminal would show them; head and tail kept, middle cut. */
  output: string;
  exitCode: number | null;
  /** Set when the shell died from a signal. */
  signal?: string;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** Bytes of output left out of `output`. */
  truncatedBytes: number;
  /** Set when the command could not be started at all (missing shell or working directory). */
  error?: string;
}

/** Process groups of commands still running (or being cleaned up), for killForegroundSync(). */
const liveGroups = new Set<number>();

/**
 * Run `command` with the user's shell in `cwd` and collect its output.
 *
 * Contract: never rejects. Resolves when the shell exits, not when every pipe closes; anything the
 * command left running is then killed with its process group. On timeout or abort the group gets
 * SIGTERM, then SIGKILL after KILL_GRACE_MS. Memory stays bounded whatever the command prints: the
 * output arrives through a FIFO read into one reused buffer (see outputFifo()).
 */
export async function runCommand(command: string, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const output = new CappedOutput(HEAD_BYTES, TAIL_BYTES);
  const base = { exitCode: null, timedOut: false, aborted: false, truncatedBytes: 0 };
  const problem = missingDirectory(options.cwd);
  if (problem) return { ...base, output: "", durationMs: 0, error: problem };
  if (options.signal?.aborted) return { ...base, aborted: true, output: "", durationMs: 0 };
  const fifo = await outputFifo();
  const closeFifo = () => {
    if (fifo) for (const fd of [fifo.read, fifo.write]) closeSync(fd);
  };
  if (options.signal?.aborted) {
    closeFifo();
    return { ...base, aborted: true, output: "", durationMs: 0 };
  }

  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawnShell(command, { cwd: options.cwd, env: options.env, output: fifo?.write });
    } catch (error) {
      closeFifo();
      resolve({ ...base, output: "", durationMs: 0, error: `could not start ${userShell()}: ${message(error)}` });
      return;
    }
    // The command has its own copies of the write end; ours must go, or the output never ends.
    if (fifo) closeSync(fifo.write);
    const onChunk = (chunk: Buffer) => output.push(chunk);
    const sources = fifo ? [readReusing(fifo.read, onChunk)] : pipeSources(child, onChunk);
    // Output may end before 'exit' is seen (a pipe's 'close' would wait for it; a socket's does not).
    const outputEnded = Promise.all(sources.map((source) => new Promise((resolve) => source.once("close", resolve))));
    const pgid = child.pid;
    if (pgid) liveGroups.add(pgid);
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let backstop: NodeJS.Timeout | undefined;

    const stop = () => {
      if (!pgid) return;
      void terminate(pgid);
      // A process stuck in the kernel can survive SIGKILL for a while; do not wait on it forever.
      backstop ??= setTimeout(() => finish(null, "SIGKILL"), KILL_GRACE_MS + 2000);
    };
    const onAbort = () => {
      aborted = true;
      stop();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(backstop);
      options.signal?.removeEventListener("abort", onAbort);
      for (const source of sources) source.destroy();
      const { text, cut } = output.text();
      resolve({
        output: text,
        exitCode,
        ...(signal ? { signal } : {}),
        timedOut,
        aborted,
        durationMs: Math.round(performance.now() - started),
        truncatedBytes: cut,
        ...(error ? { error } : {}),
      });
    };

    // Without a pid the shell never started; with one, 'exit' still follows and settles the run.
    child.on("error", (error) => {
      if (!pgid) finish(null, null, `could not start ${userShell()}: ${error.message}`);
    });
    child.on("exit", (code, signal) => {
      // The command is over; a timeout or abort during the short drain below must not relabel it.
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (!pgid) return finish(code, signal);
      // Leftovers (`sleep 300 &`) would hold the pipes open; kill them, then drain what is buffered.
      void terminate(pgid).finally(() => liveGroups.delete(pgid));
      const drained = setTimeout(() => finish(code, signal), DRAIN_MS);
      void outputEnded.then(() => {
        clearTimeout(drained);
        finish(code, signal);
      });
    });

    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Start `command` with the user's shell in a new session (so its own process group, no terminal).
 *
 * Contract: stdin is closed. Output goes to `options.output` (a file descriptor used for both stdout
 * and stderr), or else to two pipes; stderr is redirected into stdout by the shell itself, so the
 * order is exactly what a terminal shows (a stderr pipe only carries the shell's own early errors).
 * May throw synchronously, or emit 'error' with no pid, when the shell cannot be started.
 */
export function spawnShell(command: string, options: { cwd: string; env?: Record<string, string | undefined>; output?: number }): ChildProcess {
  const output = options.output ?? "pipe";
  return spawn(userShell(), ["-c", `exec 2>&1\n${command}`], {
    cwd: options.cwd,
    env: commandEnv(options.env),
    detached: true,
    stdio: ["ignore", output, output],
  });
}

/** The person's shell when it speaks POSIX sh (the model writes bash), otherwise bash or sh. */
export function userShell(): string {
  const preferred = process.env.SHELL;
  if (preferred && /\/(bash|zsh|sh|dash|ksh)$/.test(preferred) && isFile(preferred)) return preferred;
  return isFile("/bin/bash") ? "/bin/bash" : "/bin/sh";
}

/**
 * The environment for commands the agent runs.
 *
 * Contract: mini-claude's API keys (and any MINI_CLAUDE_* key, token or secret) are removed; the
 * variables that stop tools from prompting, paging or colouring are set; `extra` wins last.
 */
export function commandEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (SECRET_VARS.has(name) || /^MINI_CLAUDE_.*(KEY|TOKEN|SECRET|PASSWORD)/i.test(name)) continue;
    env[name] = value;
  }
  // Node warns when NO_COLOR and FORCE_COLOR are both set, and FORCE_COLOR would win.
  delete env.FORCE_COLOR;
  Object.assign(env, NON_INTERACTIVE);
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * SIGKILL every foreground command still running or being cleaned up.
 *
 * Contract: synchronous; cli.ts calls it on exit next to ProcessManager.killAllSync().
 */
export function killForegroundSync(): void {
  for (const pgid of liveGroups) killTreeSync(pgid);
  liveGroups.clear();
}

/**
 * Keeps the first `headMax` bytes and a rolling window of the last `tailMax` bytes in fixed buffers,
 * so a command printing gigabytes costs the same memory as one printing kilobytes.
 */
class CappedOutput {
  private readonly head: Buffer;
  private headLength = 0;
  private readonly ring: Buffer;
  private ringEnd = 0;
  private tailTotal = 0;

  constructor(headMax: number, tailMax: number) {
    this.head = Buffer.alloc(headMax);
    this.ring = Buffer.alloc(tailMax);
  }

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.headLength < this.head.length) {
      const copied = data.copy(this.head, this.headLength);
      this.headLength += copied;
      data = data.subarray(copied);
    }
    if (data.length === 0) return;
    this.tailTotal += data.length;
    const size = this.ring.length;
    if (data.length >= size) {
      data.copy(this.ring, 0, data.length - size);
      this.ringEnd = 0;
      return;
    }
    const first = data.copy(this.ring, this.ringEnd);
    if (first < data.length) data.copy(this.ring, 0, first);
    this.ringEnd = (this.ringEnd + data.length) % size;
  }

  text(): { text: string; cut: number } {
    const head = this.head.subarray(0, this.headLength);
    const size = this.ring.length;
    if (this.tailTotal <= size) {
      return { text: Buffer.concat([head, this.ring.subarray(0, this.tailTotal)]).toString("utf8"), cut: 0 };
    }
    let tail = Buffer.concat([this.ring.subarray(this.ringEnd), this.ring.subarray(0, this.ringEnd)]);
    let start = 0;
    while (start < 3 && (tail[start] & 0xc0) === 0x80) start++;
    tail = tail.subarray(start);
    // StringDecoder.write holds back an incomplete trailing character instead of emitting U+FFFD.
    const headText = new StringDecoder("utf8").write(head);
    const cut = this.tailTotal - size + start + (head.length - Buffer.byteLength(headText));
    return { text: `${headText}\n\n[... ${cut} bytes cut ...]\n\n${tail.toString("utf8")}`, cut };
  }
}

/**
 * A FIFO for one command's output, open at both ends (read end non-blocking) and already unlinked.
 *
 * Why not a 'pipe' stdio: Node allocates a fresh Buffer for every read from a child's pipe, and V8
 * frees that external memory lazily, so a command printing 200 MB grew mini-claude by ~35 MB. A
 * FIFO behaves like a pipe for the command (also for `>/dev/stdout` or `tee /dev/stderr`, which a
 * regular file would truncate) and can be read into one buffer (readReusing). Node cannot create a
 * pipe pair or a FIFO itself, so `mkfifo` runs once per command (about 7 ms).
 *
 * Contract: resolves to undefined when no FIFO can be made (no mkfifo, unwritable tmpdir); the
 * caller then uses plain pipes. Never rejects, leaves nothing on disk.
 */
async function outputFifo(): Promise<{ read: number; write: number } | undefined> {
  let dir: string | undefined;
  let read: number | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), "mini-claude-out-"));
    const path = join(dir, "output");
    await promisify(execFile)("mkfifo", ["-m", "600", path], { timeout: 5000 });
    // Opening the read end without O_NONBLOCK would wait for a writer; the write end then opens at once.
    read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    return { read, write: openSync(path, constants.O_WRONLY) };
  } catch {
    if (read !== undefined) closeSync(read);
    return undefined;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads `fd` (a pipe or FIFO) into one reused buffer; `onChunk` gets a view and must copy what it keeps. */
function readReusing(fd: number, onChunk: (chunk: Buffer) => void): Socket {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  // The constructor has honoured `onread` since Node 12; @types/node 20 lists it only for connect().
  const options: SocketConstructorOpts & { onread: OnReadOpts } = {
    fd,
    readable: true,
    writable: false,
    onread: { buffer, callback: (size: number) => (onChunk(buffer.subarray(0, size)), true) },
  };
  const socket = new Socket(options);
  // Only reached if a runtime ignored `onread`: the data still arrives, in fresh buffers.
  socket.on("data", onChunk);
  socket.on("error", () => {});
  return socket;
}

/** The fallback when no FIFO could be made: the child's two pipes, read the usual way. */
function pipeSources(child: ChildProcess, onChunk: (chunk: Buffer) => void): Readable[] {
  const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
  for (const stream of streams) {
    stream.on("data", onChunk);
    stream.on("error", () => {});
  }
  return streams;
}

/** Why `path` cannot be a command's working directory, or undefined when it can. */
export function missingDirectory(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return undefined;
    return `working directory ${path} is not a directory`;
  } catch {
    return `working directory ${path} does not exist`;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
