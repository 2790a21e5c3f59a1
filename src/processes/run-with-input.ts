/**
 * A short command fed JSON on stdin, with stdout and stderr kept apart (what hooks need; run.ts
 * merges them, as a terminal would). Like run.ts it runs in its own process group, and on
 * timeout, abort or mini-claude's exit the whole tree is killed, so a hook that hangs or forks
 * leaves nothing behind.
 */
import { spawn, spawnSync } from "node:child_process";
import { adopt, release } from "./children.js";
import { terminate } from "./process-tree.js";
import { commandEnv, missingDirectory, userShell } from "./spawn.js";

/** Each stream keeps its first 64 KB: hooks answer in a line or a small JSON object. */
const STREAM_MAX_BYTES = 64 * 1024;

export interface InputRunOptions {
  cwd: string;
  input: string;
  timeoutMs: number;
  signal?: AbortSignal;
  env?: Record<string, string | undefined>;
}

export interface InputRunResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** The command could not be started at all. */
  error?: string;
}

/** After the shell exits, how long its pipes may take to close. */
const DRAIN_MS = 250;

/** Contract: never rejects; resolves once the shell has exited (or was killed with its tree). */
export function runWithInput(command: string, options: InputRunOptions): Promise<InputRunResult> {
  const missing = missingDirectory(options.cwd);
  const none = { exitCode: null, stdout: "", stderr: "", timedOut: false, aborted: false };
  if (missing) return Promise.resolve({ ...none, error: missing });
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(userShell(), ["-c", command], { cwd: options.cwd, env: commandEnv(options.env), detached: true, stdio: ["pipe", "pipe", "pipe"] });
    } catch (error) {
      return resolve({ ...none, error: (error as Error).message });
    }
    const pgid = child.pid ?? 0;
    adopt(pgid, "hook");
    const out = collect(child.stdout!);
    const err = collect(child.stderr!);
    let timedOut = false;
    let aborted = false;
    const stop = () => void terminate(pgid).finally(() => release(pgid));
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    // A hook that does not read its stdin must not fail the write.
    child.stdin!.on("error", () => undefined);
    child.stdin!.end(options.input);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ...none, error: error.message });
    });
    let finished = false;
    const finish = (code: number | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      // Whatever the hook left running in its group goes with it.
      void terminate(pgid).finally(() => release(pgid));
      resolve({ exitCode: timedOut || aborted ? null : code, stdout: out(), stderr: err(), timedOut, aborted });
    };
    // The shell's exit ends the hook; a child it left holding the pipes gets a moment to flush, not a minute.
    child.once("exit", (code) => setTimeout(() => finish(code), DRAIN_MS));
    child.once("close", (code: number | null) => finish(code));
  });
}

/**
 * The same run, synchronously, for the moment the process is already exiting (SessionEnd after
 * process.exit): no event loop is left to wait on. Only the shell is killed at the timeout.
 * Contract: never throws.
 */
export function runWithInputSync(command: string, options: Omit<InputRunOptions, "signal">): InputRunResult {
  const missing = missingDirectory(options.cwd);
  const none = { exitCode: null, stdout: "", stderr: "", timedOut: false, aborted: false };
  if (missing) return { ...none, error: missing };
  const run = spawnSync(userShell(), ["-c", command], { cwd: options.cwd, env: commandEnv(options.env), input: options.input, timeout: options.timeoutMs, maxBuffer: STREAM_MAX_BYTES, killSignal: "SIGKILL" });
  const timedOut = (run.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT";
  const error = run.error && !timedOut && (run.error as NodeJS.ErrnoException).code !== "ENOBUFS" ? run.error.message : undefined;
  return { exitCode: timedOut ? null : run.status, stdout: String(run.stdout ?? ""), stderr: String(run.stderr ?? ""), timedOut, aborted: false, ...(error ? { error } : {}) };
}

function collect(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on("data", (chunk: Buffer) => {
    if (size >= STREAM_MAX_BYTES) return;
    chunks.push(chunk.subarray(0, STREAM_MAX_BYTES - size));
    size += chunk.length;
  });
  return () => Buffer.concat(chunks).toString("utf8");
}
