/**
 * The log of one background job: the file its stdout and stderr go to, and the rolling log of lines
 * mini-claude keeps in memory while following that file.
 *
 * A job writes to a file rather than a pipe so that a job left running by --keep-background does not
 * fail at its first write once mini-claude is gone. Reads never block the job: the file is polled,
 * read in bounded steps into one shared buffer, and emptied once read past its cap.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, rmSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { stripControls } from "../sanitize.js";
import { MAX_LINE_CHARS, truncateLine } from "../truncate.js";

/**
 * A log file is emptied once it has been read past this size (the rolling log in memory keeps what
 * matters), and a backlog larger than this is skipped but for its end, so a noisy job cannot fill
 * the disk while mini-claude runs. A job kept after mini-claude exits has no one to do this.
 */
export const MAX_LOG_FILE_BYTES = 4 * 1024 * 1024;
/** The first lines of a job are kept apart from the rolling log, for the start report. */
const HEAD_LINES = 10;
/** A process that never prints a newline still gets its output cut into lines of this size. */
const MAX_PARTIAL_CHARS = 8192;
/** Bytes of log read per turn of the event loop, so a noisy job cannot stall mini-claude. */
const READ_BUDGET_BYTES = 256 * 1024;
/** When a job ends, a larger unread backlog than this is skipped but for its newest part. */
const FINAL_READ_BYTES = 1024 * 1024;

/** Every log is read into this one buffer (reads are synchronous), so following logs allocates nothing per read. */
const buffer = Buffer.allocUnsafe(64 * 1024);

export interface JobLogOptions {
  /** Lines kept in the rolling log. */
  maxLines: number;
  maxFileBytes?: number;
  /** Called with each new line, after it is cleaned up and added. */
  onLine?: (line: string) => void;
}

export class JobLog {
  /** The descriptor to give the job as its stdout and stderr; valid until close(). */
  readonly output: number;
  private fd?: number;
  /** How far the file has been read. */
  private offset = 0;
  private readonly reader: LineSplitter;
  private poller?: NodeJS.Timeout;
  /** A read that ran out of budget continues on the next turn of the event loop. */
  private continuing = false;
  private rolling: string[] = [];
  private readonly head: string[] = [];
  private total = 0;
  private readonly maxLines: number;
  private readonly maxFileBytes: number;
  private readonly onLine?: (line: string) => void;

  /** Creates `file` empty and private to the user (throws if it cannot), ready for the job to write to. */
  constructor(
    readonly file: string,
    options: JobLogOptions,
  ) {
    this.maxLines = options.maxLines;
    this.maxFileBytes = options.maxFileBytes ?? MAX_LOG_FILE_BYTES;
    this.onLine = options.onLine;
    this.reader = lineSplitter((line) => this.add(line));
    // O_APPEND: after ftruncate() the job's next write lands at the new end, not past a hole.
    this.output = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND, 0o600);
    this.fd = this.output;
  }

  /** Every line the job printed, including those dropped from the rolling log. */
  get totalLines(): number {
    return this.total;
  }

  /** The rolling log: the last maxLines lines. */
  lines(): string[] {
    return this.rolling.slice(-this.maxLines);
  }

  /** The log so far; past 20 lines, the first and last 10 around an "[... N lines omitted ...]" line. */
  excerpt(): string[] {
    const lines = this.lines();
    if (this.total <= 2 * HEAD_LINES) return lines;
    // The command line is at the top and the URL or the error at the bottom; keep both ends.
    return [...this.head, `[... ${this.total - 2 * HEAD_LINES} lines omitted ...]`, ...lines.slice(-HEAD_LINES)];
  }

  /** Reads the file every `intervalMs` (replacing any earlier interval) until close(); keeps no process alive. */
  follow(intervalMs: number): void {
    if (this.fd === undefined) return;
    clearInterval(this.poller);
    this.poller = setInterval(() => this.read(), intervalMs);
    this.poller.unref();
  }

  /**
   * Feeds what the job wrote since the last read into the rolling log, at most READ_BUDGET_BYTES now
   * and the rest on the next turn of the event loop. Once read past the cap, the file is emptied; a
   * job that writes faster than we read has all but its newest bytes dropped (with a note in the log).
   * A write racing the truncation can be lost: the price of never blocking the job.
   */
  read(): void {
    this.readFile(false);
  }

  /** Reads all the job wrote so far, after skipping a backlog past FINAL_READ_BYTES, including a last line without a newline. */
  readToEnd(): void {
    this.readFile(true);
    this.reader.flush();
  }

  /** Reads the last of the log, stops following it and removes the file; the rolling log stays. */
  close(): void {
    if (this.fd === undefined) return;
    this.readToEnd();
    clearInterval(this.poller);
    closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.file, { force: true });
  }

  /** Adds one line as a person would see it in a terminal: no colours, no overdrawn text, cut to MAX_LINE_CHARS. */
  add(raw: string): void {
    // A carriage return redraws the line in a terminal; keep what the person would finally see.
    const text = raw.replace(/\r$/, "");
    const line = truncateLine(stripControls(text.slice(text.lastIndexOf("\r") + 1)), MAX_LINE_CHARS);
    this.rolling.push(line);
    if (this.head.length < HEAD_LINES) this.head.push(line);
    this.total++;
    // Trim in batches so a noisy job does not shift the array on every line.
    if (this.rolling.length > this.maxLines + 100) this.rolling.splice(0, this.rolling.length - this.maxLines);
    this.onLine?.(line);
  }

  private readFile(final: boolean): void {
    const fd = this.fd;
    if (fd === undefined) return;
    try {
      const size = fstatSync(fd).size;
      // Someone else emptied it, e.g. a command that opened /dev/stdout with O_TRUNC.
      if (size < this.offset) this.offset = 0;
      if (size - this.offset > (final ? FINAL_READ_BYTES : this.maxFileBytes)) this.skipToNewest(fd, size);
      for (let left = final ? Infinity : READ_BUDGET_BYTES; ; ) {
        if (left <= 0) return this.continueLater();
        const count = readSync(fd, buffer, 0, Math.min(buffer.length, left), this.offset);
        if (count === 0) break;
        this.offset += count;
        left -= count;
        this.reader.write(buffer.subarray(0, count));
      }
      if (this.offset >= this.maxFileBytes) {
        ftruncateSync(fd, 0);
        this.offset = 0;
      }
    } catch {
      // The file was removed or closed under us; there is nothing more to read.
    }
  }

  /** Keeps the newest bufferful of an unread backlog, empties the file, and notes what was dropped. */
  private skipToNewest(fd: number, size: number): void {
    const from = Math.max(this.offset, size - buffer.length);
    const count = readSync(fd, buffer, 0, size - from, from);
    ftruncateSync(fd, 0);
    this.reader.flush();
    this.add(`[... ${from - this.offset} bytes of output skipped: the job printed faster than its log could be read ...]`);
    this.offset = 0;
    this.reader.skipPartialLine();
    this.reader.write(buffer.subarray(0, count));
  }

  private continueLater(): void {
    if (this.continuing) return;
    this.continuing = true;
    setImmediate(() => {
      this.continuing = false;
      this.read();
    }).unref();
  }
}

interface LineSplitter {
  write(chunk: Buffer): void;
  /** Emits a trailing partial line, if any. */
  flush(): void;
  /** Drops everything up to the next newline (the reader is resuming in the middle of a line). */
  skipPartialLine(): void;
}

/** Splits bytes into lines, keeping a character split across two chunks whole. */
function lineSplitter(onLine: (line: string) => void): LineSplitter {
  const decoder = new StringDecoder("utf8");
  let partial = "";
  let skipping = false;
  return {
    write: (chunk) => {
      const parts = (partial + decoder.write(chunk)).split("\n");
      partial = parts.pop() ?? "";
      if (skipping && parts.length > 0) {
        parts.shift();
        skipping = false;
      }
      if (skipping) partial = "";
      if (partial.length > MAX_PARTIAL_CHARS) {
        parts.push(partial);
        partial = "";
      }
      for (const part of parts) onLine(part);
    },
    flush: () => {
      const rest = partial + decoder.end();
      partial = "";
      if (rest) onLine(rest);
    },
    skipPartialLine: () => {
      partial = "";
      decoder.end();
      skipping = true;
    },
  };
}
