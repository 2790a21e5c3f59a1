/**
 * grep's scan (and list_files' glob matching) runs in a worker thread, because a model-supplied
 * regex or glob can backtrack for ever (`^(a+)+$` against "aaaa…a!") and regex.test cannot be
 * interrupted on the main thread: only Worker.terminate() stops it. The workers are started when
 * a scan starts; what they run is scan-worker-source.ts, and batch-order.ts puts their answers in order.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { BatchOrder, type BatchResult, type ScanResult } from "./batch-order.js";
import { WORKER_SOURCE } from "./scan-worker-source.js";

export type { Match, ScanResult } from "./batch-order.js";

export interface ScanOptions {
  /** The regex searched for in each file's lines; absent with `namesOnly`. */
  pattern?: string;
  /** "" or "i". */
  flags: string;
  /** Text every match contains (required-literal.ts); files without it are skipped unread by the regex. */
  literal?: string;
  /** Only files whose `globInput` matches this glob are scanned (see compileGlob). */
  glob?: CompiledGlob;
  /** Report each file that passes the glob as a match (line 0) without reading it: list_files. */
  namesOnly?: boolean;
  /** The worker stops after this many matches. */
  maxMatches: number;
  /** Larger files are skipped and counted as "large". */
  maxFileBytes: number;
  /** Each match's text is cut to this many characters; `length` keeps the full length. */
  maxLineChars: number;
  /** The whole scan, walk included, ends after this long. */
  timeoutMs: number;
  signal: AbortSignal;
}

export interface ScanFile {
  /** Shown in the output. */
  path: string;
  /** Read by the worker. */
  absolute: string;
  /** What the glob is tested against (a relative path or a base name), when there is a glob. */
  globInput?: string;
}

/** A glob as a regex the worker can run without picomatch (the bundle has no node_modules). */
export interface CompiledGlob {
  text: string;
  source: string;
  flags: string;
}

/**
 * Compile a model-supplied glob on the main thread (parsing is linear); *matching* it can
 * backtrack for ever (`@(a*)*(a*)*(a*)*b` against a long name), so that happens in the worker.
 * Matches as picomatch(glob, { dot: true }) does: the glob itself, literally, or its regex.
 */
export async function compileGlob(glob: string): Promise<CompiledGlob> {
  const { default: picomatch } = await import("picomatch");
  const regex = picomatch.makeRe(glob, { dot: true });
  return { text: glob, source: regex.source, flags: regex.flags };
}

const TIMED_OUT = new Error("grep timed out");

/**
 * Scan the files `list(signal)` yields for the pattern in worker threads, sending files in batches
 * as the walk finds them: one worker, and a second one (both cores) once there is more than one
 * batch to read. Batches are numbered and their results taken in batch order, so the matches, the
 * skipped counts and the point where the cap stops the scan are the same as with one worker.
 * `signal` is aborted when the scan ends early, so the walk behind `list` stops too.
 *
 * Contract: after `timeoutMs` resolves with the matches found so far (in order) and `timedOut`;
 * when `options.signal` aborts, rejects with its reason. Either way every worker is terminated,
 * even in the middle of a regex. Files over maxFileBytes, or with a NUL byte in the first 8 KB
 * (binary, as git decides), are skipped and counted; unreadable ones are skipped silently.
 */
export async function scanFiles(list: (signal: AbortSignal) => AsyncIterable<ScanFile[]>, options: ScanOptions): Promise<ScanResult> {
  const { signal, timeoutMs, ...settings } = options;
  signal.throwIfAborted();
  const result: ScanResult = { matches: [], skipped: { binary: 0, large: 0 }, timedOut: false };
  const scan = new AbortController();
  const forward = () => scan.abort(signal.reason);
  signal.addEventListener("abort", forward, { once: true });
  const timer = setTimeout(() => scan.abort(TIMED_OUT), timeoutMs);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const ordered = new BatchOrder(result, settings.maxMatches, resolve);
      scan.signal.addEventListener("abort", () => {
        result.timedOut = scan.signal.reason === TIMED_OUT;
        if (result.timedOut) ordered.takeUnfinished();
        if (result.timedOut) resolve();
        else reject(scan.signal.reason);
      });
      const start = () => {
        // A small young generation: the worker's garbage is short-lived lines, and the default
        // (tens of MiB of semi-space) showed up whole in the CLI's peak memory.
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: settings, resourceLimits: { maxYoungGenerationSizeMb: 1 } });
        worker.on("message", (message: BatchResult) => ordered.add(message));
        worker.on("error", reject);
        worker.on("exit", () => reject(new Error("the grep worker stopped unexpectedly")));
        workers.push(worker);
        return worker;
      };
      // list_files' glob test is too cheap to share; reading files is not.
      const pool = settings.namesOnly ? 1 : Math.min(POOL_SIZE, availableParallelism());
      send(list(scan.signal), (index) => (index < pool ? start() : workers[index % pool]), ordered, settings).catch(reject);
    });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", forward);
    scan.abort();
    for (const worker of workers) void worker.terminate();
  }
  return result;
}

const POOL_SIZE = 2;

/**
 * Files go over in batches, as plain strings (one message per file costs more than the glob test
 * it carries, and copying objects more than copying strings): the absolute paths to read, or with
 * namesOnly (list_files) the glob inputs. The display paths stay here.
 */
async function send(
  batches: AsyncIterable<ScanFile[]>,
  workerFor: (batch: number) => Worker,
  ordered: BatchOrder,
  { namesOnly, glob }: { namesOnly?: boolean; glob?: CompiledGlob },
): Promise<void> {
  for await (const batch of batches) {
    const index = ordered.sent(batch.map((file) => file.path));
    const files = batch.map((file) => (namesOnly ? file.globInput! : file.absolute));
    const globInputs = glob && !namesOnly ? batch.map((file) => file.globInput!) : undefined;
    workerFor(index).postMessage({ index, files, globInputs });
  }
  ordered.finished();
}

