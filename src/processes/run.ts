/**
 * Foreground shell commands: run one to its end (or its timeout, or Ctrl-C) and return its capped
 * output as data. The whole process group goes when the command is over, so nothing it started
 * outlives the tool call.
 *
 * Plain node:child_process rather than execa: execa's timeout and cleanup signal only the direct
 * child, and what we need (detached group, merged output, group kill) is a few lines here.
 */
import type { ChildProcess } from "node:child_process";
import { closeSync } from "node:fs";
import { CappedOutput } from "./capped-output.js";
import { outputFifo, pipeSources, readReusing } from "./output-fifo.js";
import { adopt, release } from "./children.js";
import { KILL_GRACE_MS, terminate } from "./process-tree.js";
import { missingDirectory, spawnShell, userShell, type StartedShell } from "./spawn.js";
import { MAX_OUTPUT_BYTES } from "../truncate.js";

/** After the shell exits, how long its output may take to drain before we stop reading it. */
const DRAIN_MS = 250;
/** Errors are usually at the end, so most of the budget goes to the tail; 2 KB stays for footers. */
const HEAD_BYTES = Math.floor(MAX_OUTPUT_BYTES / 5);
const TAIL_BYTES = MAX_OUTPUT_BYTES - HEAD_BYTES - 2048;
/** Output up to this size is kept whole in RunResult.output; past it the middle is cut. */
export const KEPT_OUTPUT_BYTES = HEAD_BYTES + TAIL_BYTES;

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Added to (or, with `undefined`, removed from) the environment built by commandEnv(). */
  env?: Record<string, string | undefined>;
  /** Each piece of output as it arrives (the buffer is reused: read it at once), for a live view. */
  onOutput?: (chunk: Buffer) => void;
  /** Run outside the sandbox (the person approved it). */
  unsandboxed?: boolean;
  /**
   * Inside the sandbox with no writable path at all (the workspace included) and no network, nor
   * a question about it: a template's `` !`cmd` `` gathers context, it does not act. The sandbox
   * enforces it (sandbox-wrap.ts); callers that need it also check that the sandbox is active.
   */
  readOnly?: boolean;
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
  /** What the sandbox blocked or cleaned up, one line each, for the model. */
  sandboxLines?: string[];
}

/**
 * Run `command` with the user's shell in `cwd` and collect its output.
 *
 * Contract: never rejects. Resolves when the shell exits, not when every pipe closes; anything the
 * command left running is then killed with its process group. On timeout or abort the group gets
 * SIGTERM, then SIGKILL after KILL_GRACE_MS. Memory stays bounded whatever the command prints: the
 * output arrives through a FIFO read into one reused buffer (see outputFifo()).
 */
export async function runCommand(command: string, options: RunOptions): Promise<RunResult> {
  const startedAt = performance.now();
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

  let started: StartedShell;
  try {
    started = await spawnShell(command, { cwd: options.cwd, env: options.env, output: fifo?.write, unsandboxed: options.unsandboxed, readOnly: options.readOnly });
  } catch (error) {
    closeFifo();
    return { ...base, output: "", durationMs: 0, error: `could not start ${userShell()}: ${message(error)}` };
  }
  const child: ChildProcess = started.child;

  return new Promise((resolve) => {
    // The command has its own copies of the write end; ours must go, or the output never ends.
    if (fifo) closeSync(fifo.write);
    const onChunk = (chunk: Buffer) => {
      output.push(chunk);
      options.onOutput?.(chunk);
    };
    const sources = fifo ? [readReusing(fifo.read, onChunk)] : pipeSources(child, onChunk);
    // Output may end before 'exit' is seen (a pipe's 'close' would wait for it; a socket's does not).
    const outputEnded = Promise.all(sources.map((source) => new Promise((resolve) => source.once("close", resolve))));
    const pgid = child.pid;
    adopt(pgid, "command");
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
      const sandboxLines = started.sandbox ? [...new Set(started.sandbox.violations())] : [];
      const swept = started.sandbox?.finished();
      if (swept) sandboxLines.push(swept);
      resolve({
        ...(sandboxLines.length ? { sandboxLines } : {}),
        output: text,
        exitCode,
        ...(signal ? { signal } : {}),
        timedOut,
        aborted,
        durationMs: Math.round(performance.now() - startedAt),
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
      void terminate(pgid).finally(() => release(pgid));
      const drained = setTimeout(() => finish(code, signal), DRAIN_MS);
      void outputEnded.then(() => {
        clearTimeout(drained);
        finish(code, signal);
      });
    });

    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
