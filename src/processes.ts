/**
 * Background jobs: dev servers, watchers and anything else that should outlive one tool call. Each
 * job is a shell in its own process group with a rolling log. kill() and killAll() take the whole
 * tree down and return only once it is gone, so its ports are free again.
 *
 * A job writes its stdout and stderr to a log file that mini-claude follows, never to a pipe: a job
 * left running by --keep-background would otherwise fail at its first write once mini-claude is gone.
 */
import type { ChildProcess } from "node:child_process";
import { closeSync, constants, fstatSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { KILL_GRACE_MS, killTreeSync, terminate, type KillReport } from "./process-tree.js";
import { missingDirectory, spawnShell, userShell } from "./shell.js";
import { MAX_LINE_CHARS, truncateLine } from "./truncate.js";

export const MAX_LOG_LINES = 500;
const STARTUP_MS = 3000;
/** Servers often print their URL right after the line that says they are ready. */
const SETTLE_MS = 200;
/** The first lines of a job are kept apart from the rolling log, for the start report. */
const HEAD_LINES = 10;
const NOTICE_LINES = 5;
/** A process that never prints a newline still gets its output cut into lines of this size. */
const MAX_PARTIAL_CHARS = 8192;
/**
 * A log file is emptied once it has been read past this size (the rolling log in memory keeps what
 * matters), and a backlog larger than this is skipped but for its end, so a noisy job cannot fill
 * the disk while mini-claude runs. A job kept after mini-claude exits has no one to do this.
 */
const MAX_LOG_FILE_BYTES = 4 * 1024 * 1024;
/** Log files are read this often while a job starts (ready detection), then less often. */
const STARTUP_POLL_MS = 20;
const POLL_MS = 100;
/** Bytes of log read per turn of the event loop, so a noisy job cannot stall mini-claude. */
const READ_BUDGET_BYTES = 256 * 1024;
/** When a job ends, a larger unread backlog than this is skipped but for its newest part. */
const FINAL_READ_BYTES = 1024 * 1024;

const READY = /\b(?:listening|ready|started server|compiled|serving|running (?:on|at)|started on|watching for)\b|https?:\/\/\S/i;
const LOCAL_URL = /https?:\/\/(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\])(?::\d+)?[^\s"'<>)\]]*/i;
const PORT_ONLY = /\b(?:listening|running|serving|started)\b.*?\bport\s*:?\s*(\d{2,5})\b/i;
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g;

export type JobState = "running" | "exited" | "failed" | "killed";

export interface JobInfo {
  id: number;
  /** Also the process group id. */
  pid: number;
  command: string;
  /** "failed" means it ended with an error during its startup wait. */
  state: JobState;
  exitCode: number | null;
  signal: string | null;
  startedAt: number;
  endedAt?: number;
  /** First local URL the job printed (or "listening on port N"). */
  url?: string;
  /** Where the job's output goes; removed once the job has ended (or by killAll()), kept while it runs. */
  logFile: string;
}

export interface StartResult extends JobInfo {
  /** The log so far; past 20 lines, the first and last 10 around an "[... N lines omitted ...]" line. */
  log: string[];
  /** The startup wait was cut short by the abort signal; the job was left as it was. */
  interrupted?: true;
}

export interface KillResult extends KillReport {
  id: number;
  command: string;
  /** False when the job had already ended; nothing was signalled then. */
  wasRunning: boolean;
}

interface Job extends JobInfo {
  child: ChildProcess;
  lines: string[];
  head: string[];
  totalLines: number;
  starting: boolean;
  stopping: boolean;
  /** Resolves once the shell has exited and its output so far has been read. */
  closed: Promise<void>;
  onLine?: (line: string) => void;
  /** The log file, open for reading and truncation until the job and its leftovers are gone. */
  fd?: number;
  /** How far the log file has been read. */
  offset: number;
  reader: LineReader;
  poller?: NodeJS.Timeout;
  /** A read that ran out of budget continues on the next turn of the event loop. */
  continuing: boolean;
}

export interface ProcessManagerOptions {
  startupMs?: number;
  /** SIGTERM to SIGKILL; defaults to KILL_GRACE_MS, the same as for foreground commands. */
  graceMs?: number;
  maxLogLines?: number;
  /** Where job logs go; by default a fresh private directory under os.tmpdir(), removed by killAll(). */
  logDir?: string;
  maxLogFileBytes?: number;
}

export class ProcessManager {
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private notices: number[] = [];
  private readonly startupMs: number;
  private readonly graceMs: number;
  private readonly maxLogLines: number;
  private readonly maxLogFileBytes: number;
  private readonly ownLogDir: boolean;
  private logDir?: string;
  /** Every log is read into this one buffer, so following logs allocates nothing per read. */
  private readonly buffer = Buffer.allocUnsafe(64 * 1024);

  constructor(options: ProcessManagerOptions = {}) {
    this.startupMs = options.startupMs ?? STARTUP_MS;
    this.graceMs = options.graceMs ?? KILL_GRACE_MS;
    this.maxLogLines = options.maxLogLines ?? MAX_LOG_LINES;
    this.maxLogFileBytes = options.maxLogFileBytes ?? MAX_LOG_FILE_BYTES;
    this.logDir = options.logDir;
    this.ownLogDir = options.logDir === undefined;
  }

  /**
   * Start `command` as a background job and wait for its startup: until it prints a line that looks
   * ready (plus a moment for the URL that often follows), exits, `signal` aborts, or startupMs passes.
   *
   * Contract: a job that ends during startup comes back with state "failed" (or "exited" for code 0)
   * and its log tail; it is not reported again by drainNotices(). An abort only ends the wait: the
   * job keeps running and the result says `interrupted`. Throws only when `cwd` is unusable.
   */
  async start(command: string, options: { cwd: string; env?: Record<string, string | undefined>; signal?: AbortSignal }): Promise<StartResult> {
    const problem = missingDirectory(options.cwd);
    if (problem) throw new Error(problem);
    const job = this.launch(command, options);
    let ready: () => void = () => {};
    const readySeen = new Promise<void>((resolve) => (ready = resolve));
    job.onLine = (line) => {
      if (!READY.test(line)) return;
      job.onLine = undefined;
      setTimeout(ready, SETTLE_MS);
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.startupMs)));
    let interrupted = options.signal?.aborted === true;
    const onAbort = () => {
      interrupted = true;
      ready();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (!interrupted) await Promise.race([readySeen, job.closed, timeout]);
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    this.read(job);
    job.starting = false;
    job.onLine = undefined;
    if (job.fd !== undefined) this.poll(job, POLL_MS);
    const lines = this.visible(job);
    const result: StartResult = { ...info(job), log: lines, ...(interrupted && job.state === "running" ? { interrupted: true } : {}) };
    if (job.totalLines <= 2 * HEAD_LINES) return result;
    // The command line is at the top and the URL or the error at the bottom; keep both ends.
    const omitted = `[... ${job.totalLines - 2 * HEAD_LINES} lines omitted ...]`;
    return { ...result, log: [...job.head, omitted, ...lines.slice(-HEAD_LINES)] };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((job) => info(this.read(job)));
  }

  /** The last `n` log lines of job `id`, under a header with its state. Throws for an unknown id. */
  logs(id: number, n = 50): string {
    const job = this.read(this.get(id));
    const lines = this.visible(job);
    const shown = lines.slice(-Math.max(1, n));
    const dropped = job.totalLines - lines.length;
    const counts = lines.length === 0 ? "no output yet" : `last ${shown.length} of ${job.totalLines} lines`;
    const note = dropped > 0 ? `; ${dropped} older lines were dropped (only the last ${this.maxLogLines} are kept)` : "";
    return [`job ${id} \`${job.command}\` (${describeState(job)}): ${counts}${note}`, ...shown].join("\n");
  }

  /**
   * Stop job `id` and its whole tree: SIGTERM, then SIGKILL after the grace period.
   *
   * Contract: resolves once every process found is gone (its ports are then free), reporting
   * which pids died and which survived. Throws for an unknown id.
   */
  async kill(id: number): Promise<KillResult> {
    const job = this.get(id);
    if (job.state !== "running") return { id, command: job.command, wasRunning: false, killed: [], survivors: [] };
    job.stopping = true;
    // Unreferenced jobs would let the event loop end before their exit is even seen.
    job.child.ref();
    const report = await terminate(job.pid, this.graceMs);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([job.closed, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))]);
    clearTimeout(timer);
    if (job.state === "running") job.state = "killed";
    this.closeLog(job);
    return { id, command: job.command, wasRunning: true, ...report };
  }

  /** Stop every running job and remove the log files; resolves when all of them are gone. */
  async killAll(): Promise<KillResult[]> {
    const results = await Promise.all(this.running().map((job) => this.kill(job.id)));
    this.removeLogs();
    return results;
  }

  /**
   * SIGKILL every running job's tree at once and remove the log files.
   *
   * Contract: synchronous, so it works inside process.on("exit"), where no promise ever settles.
   */
  killAllSync(): void {
    for (const job of this.running()) {
      job.stopping = true;
      killTreeSync(job.pid);
      job.state = "killed";
    }
    this.removeLogs();
  }

  /** One message per job that ended on its own since the last call, each with its last lines. */
  drainNotices(): string[] {
    const ids = this.notices;
    this.notices = [];
    return ids.map((id) => {
      const job = this.read(this.get(id));
      const tail = this.visible(job).slice(-NOTICE_LINES);
      const ending = job.exitCode !== null ? `exited with code ${job.exitCode}` : `was killed by ${job.signal}`;
      const output = tail.length ? `; last output:\n${tail.map((line) => `  ${line}`).join("\n")}` : "";
      return `job ${id} \`${job.command}\` ${ending}${output}`;
    });
  }

  /** A table of all jobs, for bg_list and the person's /bg. */
  formatList(now = Date.now()): string {
    const jobs = [...this.jobs.values()].map((job) => this.read(job));
    if (jobs.length === 0) return "No background jobs.";
    const rows = [["id", "pid", "state", "uptime", "url", "command"]];
    for (const job of jobs) {
      const uptime = formatDuration((job.endedAt ?? now) - job.startedAt);
      rows.push([String(job.id), String(job.pid), describeState(job), uptime, job.url ?? "-", job.command]);
    }
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    return rows.map((row) => row.map((cell, column) => (column < 5 ? cell.padEnd(widths[column]) : cell)).join("  ")).join("\n");
  }

  /** Spawns the shell with its output going to a fresh log file, and follows that file. */
  private launch(command: string, options: { cwd: string; env?: Record<string, string | undefined> }): Job {
    const id = this.nextId++;
    this.logDir ??= mkdtempSync(join(tmpdir(), `mini-claude-${process.pid}-`));
    mkdirSync(this.logDir, { recursive: true });
    const logFile = join(this.logDir, `job-${id}.log`);
    // O_APPEND: after ftruncate() the job's next write lands at the new end, not past a hole.
    const fd = openSync(logFile, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND, 0o600);
    let child: ChildProcess;
    try {
      child = spawnShell(command, { ...options, output: fd });
    } catch (error) {
      closeSync(fd);
      rmSync(logFile, { force: true });
      throw error;
    }
    let closed: () => void = () => {};
    const job: Job = {
      id,
      pid: child.pid ?? 0,
      command,
      state: "running",
      exitCode: null,
      signal: null,
      startedAt: Date.now(),
      logFile,
      child,
      lines: [],
      head: [],
      totalLines: 0,
      starting: true,
      stopping: false,
      closed: new Promise((resolve) => (closed = resolve)),
      fd,
      offset: 0,
      reader: lineReader((line) => this.addLine(job, line)),
      continuing: false,
    };
    this.jobs.set(id, job);
    this.poll(job, STARTUP_POLL_MS);
    // Jobs must not keep mini-claude alive; process.on("exit") kills them instead.
    child.unref();
    child.on("error", (error) => {
      if (child.pid) return;
      this.addLine(job, `could not start ${userShell()}: ${error.message}`);
      Object.assign(job, { state: "failed", endedAt: Date.now() });
      this.closeLog(job);
      closed();
    });
    child.on("exit", (code, signal) => {
      // Everything the shell wrote is in the file by now.
      this.read(job, true);
      job.reader.flush();
      Object.assign(job, { exitCode: code, signal, endedAt: Date.now() });
      job.state = job.stopping ? "killed" : job.starting && code !== 0 ? "failed" : "exited";
      if (!job.starting && !job.stopping) this.notices.push(job.id);
      // Whatever the shell left behind goes with it, as for foreground commands; kill() closes the log itself.
      if (!job.stopping) void terminate(job.pid, this.graceMs).then(() => this.closeLog(job));
      closed();
    });
    return job;
  }

  private poll(job: Job, intervalMs: number): void {
    clearInterval(job.poller);
    job.poller = setInterval(() => this.read(job), intervalMs);
    job.poller.unref();
  }

  /**
   * Feeds what the job wrote since the last read into its rolling log, at most READ_BUDGET_BYTES now
   * and the rest on the next turn of the event loop (a `final` read takes all, after skipping). Once read past the cap, the file is emptied; a job
   * that writes faster than we read has all but its newest bytes dropped (with a note in the log).
   * A write racing the truncation can be lost: the price of never blocking the job.
   */
  private read(job: Job, final = false): Job {
    const fd = job.fd;
    if (fd === undefined) return job;
    const budget = final ? Infinity : READ_BUDGET_BYTES;
    try {
      const size = fstatSync(fd).size;
      // Someone else emptied it, e.g. a command that opened /dev/stdout with O_TRUNC.
      if (size < job.offset) job.offset = 0;
      if (size - job.offset > (final ? FINAL_READ_BYTES : this.maxLogFileBytes)) this.skipToNewest(job, fd, size);
      for (let left = budget; ; ) {
        if (left <= 0) return this.continueLater(job);
        const count = readSync(fd, this.buffer, 0, Math.min(this.buffer.length, left), job.offset);
        if (count === 0) break;
        job.offset += count;
        left -= count;
        job.reader.write(this.buffer.subarray(0, count));
      }
      if (job.offset >= this.maxLogFileBytes) {
        ftruncateSync(fd, 0);
        job.offset = 0;
      }
    } catch {
      // The file was removed or closed under us; there is nothing more to read.
    }
    return job;
  }

  /** Keeps the newest bufferful of an unread backlog, empties the file, and notes what was dropped. */
  private skipToNewest(job: Job, fd: number, size: number): void {
    const from = Math.max(job.offset, size - this.buffer.length);
    const count = readSync(fd, this.buffer, 0, size - from, from);
    ftruncateSync(fd, 0);
    job.reader.flush();
    this.addLine(job, `[... ${from - job.offset} bytes of output skipped: the job printed faster than its log could be read ...]`);
    job.offset = 0;
    job.reader.skipPartialLine();
    job.reader.write(this.buffer.subarray(0, count));
  }

  private continueLater(job: Job): Job {
    if (job.continuing) return job;
    job.continuing = true;
    setImmediate(() => {
      job.continuing = false;
      this.read(job);
    }).unref();
    return job;
  }

  /** Reads the last of a finished job's log, stops following it and removes the file. */
  private closeLog(job: Job): void {
    if (job.fd === undefined) return;
    this.read(job, true);
    job.reader.flush();
    clearInterval(job.poller);
    closeSync(job.fd);
    job.fd = undefined;
    rmSync(job.logFile, { force: true });
  }

  private removeLogs(): void {
    for (const job of this.jobs.values()) this.closeLog(job);
    if (!this.ownLogDir || !this.logDir) return;
    try {
      rmdirSync(this.logDir);
      this.logDir = undefined;
    } catch {
      // Not empty: someone else put a file there; leave it.
    }
  }

  private addLine(job: Job, raw: string): void {
    // A carriage return redraws the line in a terminal; keep what the person would finally see.
    const text = raw.replace(/\r$/, "");
    const line = truncateLine(text.slice(text.lastIndexOf("\r") + 1).replace(ANSI, ""), MAX_LINE_CHARS);
    job.lines.push(line);
    if (job.head.length < HEAD_LINES) job.head.push(line);
    job.totalLines++;
    // Trim in batches so a noisy job does not shift the array on every line.
    if (job.lines.length > this.maxLogLines + 100) job.lines.splice(0, job.lines.length - this.maxLogLines);
    job.url ??= detectUrl(line);
    job.onLine?.(line);
  }

  private visible(job: Job): string[] {
    return job.lines.slice(-this.maxLogLines);
  }

  private running(): Job[] {
    return [...this.jobs.values()].filter((job) => job.state === "running");
  }

  private get(id: number): Job {
    const job = this.jobs.get(id);
    if (job) return job;
    const ids = [...this.jobs.keys()].join(", ");
    throw new Error(`there is no background job ${id}; ${ids ? `the jobs are ${ids}` : "no jobs were started"}. Use bg_list.`);
  }
}

function info(job: Job): JobInfo {
  const { id, pid, command, state, exitCode, signal, startedAt, endedAt, url, logFile } = job;
  return { id, pid, command, state, exitCode, signal, startedAt, ...(endedAt ? { endedAt } : {}), ...(url ? { url } : {}), logFile };
}

interface LineReader {
  write(chunk: Buffer): void;
  /** Emits a trailing partial line, if any. */
  flush(): void;
  /** Drops everything up to the next newline (the reader is resuming in the middle of a line). */
  skipPartialLine(): void;
}

/** Splits bytes into lines, keeping a character split across two chunks whole. */
function lineReader(onLine: (line: string) => void): LineReader {
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

function describeState(job: JobInfo): string {
  const detail = job.exitCode ?? job.signal;
  return job.state === "running" || job.state === "killed" || detail === null ? job.state : `${job.state}(${detail})`;
}

function detectUrl(line: string): string | undefined {
  const url = LOCAL_URL.exec(line)?.[0];
  if (url) return url;
  const port = PORT_ONLY.exec(line)?.[1];
  return port ? `http://localhost:${port}` : undefined;
}

/** "45s", "3m05s", "2h07m". */
function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
