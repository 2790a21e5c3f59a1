/**
 * grep's scan (and list_files' glob matching) runs in a worker thread, because a model-supplied
 * regex or glob can backtrack for ever (`^(a+)+$` against "aaaa…a!") and regex.test cannot be
 * interrupted on the main thread: only Worker.terminate() stops it. The worker is started when grep runs, from the source string below
 * (eval), so it needs no file of its own in the bundled dist/.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

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

export interface Match {
  path: string;
  line: number;
  text: string;
  length: number;
}

export interface ScanResult {
  matches: Match[];
  skipped: { binary: number; large: number };
  timedOut: boolean;
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
      const ordered = new BatchOrder(result, settings.maxMatches, resolve, settings.namesOnly);
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
      send(list(scan.signal), (index) => (index < pool ? start() : workers[index % pool]), ordered).catch(reject);
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
 * Files go over in batches: one message per file costs more than the glob test it carries. With
 * namesOnly (list_files) only each file's glob input is sent; the paths stay here.
 */
async function send(batches: AsyncIterable<ScanFile[]>, workerFor: (batch: number) => Worker, ordered: BatchOrder): Promise<void> {
  for await (const batch of batches) {
    const index = ordered.sent(batch.map((file) => file.path));
    workerFor(index).postMessage({ index, files: ordered.namesOnly ? batch.map((file) => file.globInput) : batch });
  }
  ordered.finished();
}

/** One batch's outcome from a worker: matches (or, for names, indices into the batch) and skips. */
type BatchResult =
  | { index: number; matches: Match[]; partial: true }
  | { index: number; matches: Match[]; names: number[]; binary: number; large: number; partial?: undefined };

/**
 * Takes batch results in any order and applies them in batch order; resolves once every batch is
 * in, or as soon as the matches in order reach the cap.
 */
class BatchOrder {
  readonly namesOnly: boolean;
  private readonly paths: string[][] = [];
  private readonly waiting = new Map<number, Extract<BatchResult, { partial?: undefined }>>();
  private readonly partials = new Map<number, Match[]>();
  private next = 0;
  private allSent = false;

  constructor(
    private readonly result: ScanResult,
    private readonly maxMatches: number,
    private readonly done: () => void,
    namesOnly = false,
  ) {
    this.namesOnly = namesOnly;
  }

  /** Registers a batch's paths; returns its number. */
  sent(paths: string[]): number {
    return this.paths.push(paths) - 1;
  }

  finished(): void {
    this.allSent = true;
    this.check();
  }

  add(batch: BatchResult): void {
    if (batch.partial) {
      const earlier = this.partials.get(batch.index);
      if (earlier) earlier.push(...batch.matches);
      else this.partials.set(batch.index, batch.matches);
      return;
    }
    this.waiting.set(batch.index, batch);
    for (let ready; (ready = this.waiting.get(this.next)); this.next++) {
      this.waiting.delete(this.next);
      this.take(this.partials.get(ready.index) ?? []);
      this.partials.delete(ready.index);
      this.take(ready.matches);
      for (const i of ready.names) this.take([{ path: this.paths[ready.index][i], line: 0, text: "", length: 0 }]);
      this.result.skipped.binary += ready.binary;
      this.result.skipped.large += ready.large;
      this.paths[ready.index] = [];
    }
    this.check();
  }

  /** At the deadline: the matches of the first unfinished batch found so far follow the finished ones. */
  takeUnfinished(): void {
    this.take(this.partials.get(this.next) ?? []);
  }

  private take(matches: Match[]): void {
    for (const match of matches) if (this.result.matches.length < this.maxMatches) this.result.matches.push(match);
  }

  private check(): void {
    if (this.result.matches.length >= this.maxMatches || (this.allSent && this.next === this.paths.length)) this.done();
  }
}

/** Plain JavaScript run by the worker: messages are batches of files, `null` after the last. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { closeSync, constants, fstatSync, openSync, readSync } = require("node:fs");
const { pattern, flags, literal, glob, namesOnly, maxMatches, maxFileBytes, maxLineChars } = workerData;
const regex = namesOnly ? undefined : new RegExp(pattern, flags);
const needle = literal ? Buffer.from(literal) : undefined;
const globRegex = glob ? new RegExp(glob.source, glob.flags) : undefined;
// One buffer for every file: allocating one per file costs more than reading it.
const buffer = namesOnly ? undefined : Buffer.allocUnsafe(maxFileBytes + 1);
let found = 0;

// Each message is one numbered batch; the answer says what it found there, in file order.
// A worker that has found maxMatches itself skips the rest: every later batch comes after
// those matches in the order the main thread keeps, so none of its matches could be shown.
parentPort.on("message", ({ index, files }) => {
  const answer = { index, matches: [], names: [], binary: 0, large: 0 };
  for (let i = 0; i < files.length && found < maxMatches; i++) {
    scan(files[i], i, answer);
    // Matches go out file by file, so that a later file whose regex never ends cannot hide them.
    if (answer.matches.length > 0) parentPort.postMessage({ index, matches: answer.matches, partial: true });
    answer.matches = [];
  }
  parentPort.postMessage(answer);
});

function scan(file, i, answer) {
  const globInput = namesOnly ? file : file.globInput;
  if (globRegex && globInput !== glob.text && !globRegex.test(globInput)) return;
  if (namesOnly) {
    found++;
    answer.names.push(i);
    return;
  }
  const size = read(file.absolute);
  if (typeof size === "string") return answer[size]++;
  if (size === undefined) return;
  const bytes = buffer.subarray(0, size);
  const test = (text, line) => {
    if (!regex.test(text)) return;
    found++;
    answer.matches.push({ path: file.path, line, text: text.slice(0, maxLineChars), length: text.length });
  };
  if (needle) {
    // Only the lines holding the literal are decoded and tested; line numbers are counted on the way.
    let line = 1;
    let counted = 0;
    for (let at = bytes.indexOf(needle); at !== -1 && found < maxMatches; ) {
      const start = at === 0 ? 0 : bytes.lastIndexOf(10, at - 1) + 1;
      let end = bytes.indexOf(10, at);
      if (end === -1) end = size;
      for (let nl = bytes.indexOf(10, counted); nl !== -1 && nl < start; nl = bytes.indexOf(10, nl + 1)) line++;
      counted = start;
      const text = bytes.toString("utf8", start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
      test(text, line);
      at = end + 1 < size ? bytes.indexOf(needle, end + 1) : -1;
    }
  } else {
    const lines = bytes.toString("utf8").split(/\\r?\\n/);
    for (let i = 0; i < lines.length && found < maxMatches; i++) test(lines[i], i + 1);
  }
}

// The file's size, now in the shared buffer; "large" or "binary" when skipped, undefined when unreadable.
// O_NONBLOCK: a file swapped for a FIFO since the walk must not block the worker.
function read(absolute) {
  let fd;
  try {
    fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    if (!info.isFile()) return undefined;
    if (info.size > maxFileBytes) return "large";
    let size = 0;
    for (let n; size < buffer.length && (n = readSync(fd, buffer, size, buffer.length - size, null)) > 0; ) size += n;
    if (size > maxFileBytes) return "large";
    return buffer.subarray(0, Math.min(size, 8192)).includes(0) ? "binary" : size;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
`;
