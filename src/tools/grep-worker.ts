/**
 * grep's scan (and list_files' glob matching) runs in a worker thread, because a model-supplied
 * regex or glob can backtrack for ever (`^(a+)+$` against "aaaa…a!") and regex.test cannot be
 * interrupted on the main thread: only Worker.terminate() stops it. The workers are started when
 * a scan starts; what they run is scan-worker-source.ts, and batch-order.ts puts their answers in order.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { BatchOrder, type BatchResult, type ScanResult } from "./batch-order.js";
import { scanOnMainThread } from "./main-thread-scan.js";
import { WORKER_SOURCE } from "./scan-worker-source.js";

export type { Match, ScanResult } from "./batch-order.js";

export interface ScanOptions {
  /** The regex searched for in each file's lines; absent with `namesOnly`. */
  pattern?: string;
  /** "" or "i". */
  flags: string;
  /** Text every match contains (required-literal.ts); files without it are skipped unread by the regex. */
  literal?: string;
  /** The text the pattern stands for when it is nothing but text (plainText in required-literal.ts). */
  plain?: string;
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

/** A batch of files waiting for a reader: absolute paths (or, with namesOnly, glob inputs). */
export interface QueuedBatch {
  index: number;
  files: string[];
  globInputs?: string[];
}

/**
 * Scan the files `list(signal)` yields, in batches as the walk finds them, with every core: worker
 * threads read them and run the regex (or the glob), and for a plain-text pattern without a glob,
 * which cannot backtrack, the main thread reads too (main-thread-scan.ts), with one worker fewer.
 * Each reader takes the next batch when it is ready for one. Batches are numbered and their results
 * taken in batch order, so the matches, the skipped counts and the point where the cap stops the
 * scan are the same as with one reader. `signal` is aborted when the scan ends early, so the walk
 * behind `list` stops too.
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
  const workers: { thread: Worker; ready: boolean; inFlight: number }[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const ordered = new BatchOrder(result, settings.maxMatches, resolve);
      scan.signal.addEventListener("abort", () => {
        result.timedOut = scan.signal.reason === TIMED_OUT;
        if (result.timedOut) ordered.takeUnfinished();
        if (result.timedOut) resolve();
        else reject(scan.signal.reason);
      });
      const queue: QueuedBatch[] = [];
      const onMain = settings.plain !== undefined && !settings.glob && !settings.namesOnly;
      // list_files' glob test is too cheap to share; reading files is not.
      const cores = Math.min(POOL_SIZE, availableParallelism());
      const pool = settings.namesOnly ? 1 : onMain ? cores - 1 : cores;
      const waiting: (() => void)[] = [];
      const feed = () => {
        for (const worker of workers) {
          while (worker.ready && worker.inFlight < IN_FLIGHT && queue.length > 0) {
            worker.inFlight++;
            worker.thread.postMessage(queue.shift());
          }
        }
        waiting.splice(0).forEach((wake) => wake());
      };
      const start = () => {
        // A small young generation: the worker's garbage is short-lived lines, and the default
        // (tens of MiB of semi-space) showed up whole in the CLI's peak memory.
        const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: settings, resourceLimits: { maxYoungGenerationSizeMb: 1 } });
        const worker = { thread, ready: false, inFlight: 0 };
        thread.on("online", () => {
          worker.ready = true;
          feed();
        });
        thread.on("message", (message: BatchResult) => {
          if (!message.partial) worker.inFlight--;
          ordered.add(message);
          feed();
        });
        thread.on("error", reject);
        thread.on("exit", () => reject(new Error("the grep worker stopped unexpectedly")));
        workers.push(worker);
      };
      // The first worker boots while the walk starts; another joins for each batch beyond one per reader.
      if (!onMain && pool > 0) start();
      const enqueue = (batch: QueuedBatch) => {
        queue.push(batch);
        if (workers.length < pool && batch.index >= workers.length + (onMain ? 1 : 0)) start();
        feed();
      };
      let walked = false;
      send(list(scan.signal), enqueue, ordered, settings)
        .finally(() => {
          walked = true;
          feed();
        })
        .catch(reject);
      // The main thread's next batch: the first queued one, or none once the walk is over.
      const next = async () => {
        while (queue.length === 0 && !walked) await new Promise<void>((wake) => waiting.push(wake));
        return queue.shift();
      };
      if (onMain) scanOnMainThread(settings.plain!, settings, next, ordered, scan.signal).catch(reject);
    });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", forward);
    scan.abort();
    for (const worker of workers) void worker.thread.terminate();
  }
  return result;
}

const POOL_SIZE = 2;
/** Batches a worker holds at once: the next is there when it finishes one, and the rest stay for whoever is free. */
const IN_FLIGHT = 2;

/**
 * Numbers the walk's batches and queues them as plain strings (copying objects to a worker costs
 * more than copying strings): the absolute paths to read, or with namesOnly (list_files) the glob
 * inputs. The display paths stay with `ordered`.
 */
async function send(
  batches: AsyncIterable<ScanFile[]>,
  enqueue: (batch: QueuedBatch) => void,
  ordered: BatchOrder,
  { namesOnly, glob }: { namesOnly?: boolean; glob?: CompiledGlob },
): Promise<void> {
  for await (const batch of batches) {
    const index = ordered.sent(batch.map((file) => file.path));
    const files = batch.map((file) => (namesOnly ? file.globInput! : file.absolute));
    const globInputs = glob && !namesOnly ? batch.map((file) => file.globInput!) : undefined;
    enqueue({ index, files, globInputs });
  }
  ordered.finished();
}
