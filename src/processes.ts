/**
 * Background jobs: dev servers, watchers and anything else that should outlive one tool call. Each
 * job is a shell in its own process group with a rolling log. kill() and killAll() take the whole
 * tree down and return only once it is gone, so its ports are free again.
 */
import type { ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { killTreeSync, terminate, type KillReport } from "./process-tree.js";
import { spawnShell, userShell } from "./shell.js";
import { MAX_LINE_CHARS, truncateLine } from "./truncate.js";

export const MAX_LOG_LINES = 500;
const STARTUP_MS = 3000;
const STOP_GRACE_MS = 500;
/** Servers often print their URL right after the line that says they are ready. */
const SETTLE_MS = 200;
const DRAIN_MS = 250;
/** The first lines of a job are kept apart from the rolling log, for the start report. */
const HEAD_LINES = 10;
const NOTICE_LINES = 5;
/** A process that never prints a newline still gets its output cut into lines of this size. */
const MAX_PARTIAL_CHARS = 8192;

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
}

export interface StartResult extends JobInfo {
  /** The log so far; past 20 lines, the first and last 10 around an "[... N lines omitted ...]" line. */
  log: string[];
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
  /** Resolves once the shell has exited and its output has been read. */
  closed: Promise<void>;
  onLine?: (line: string) => void;
}

export interface ProcessManagerOptions {
  startupMs?: number;
  graceMs?: number;
  maxLogLines?: number;
}

export class ProcessManager {
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private notices: number[] = [];
  private readonly startupMs: number;
  private readonly graceMs: number;
  private readonly maxLogLines: number;

  constructor(options: ProcessManagerOptions = {}) {
    this.startupMs = options.startupMs ?? STARTUP_MS;
    this.graceMs = options.graceMs ?? STOP_GRACE_MS;
    this.maxLogLines = options.maxLogLines ?? MAX_LOG_LINES;
  }

  /**
   * Start `command` as a background job and wait for its startup: until it prints a line that looks
   * ready (plus a moment for the URL that often follows), exits, or startupMs passes.
   *
   * Contract: a job that ends during startup comes back with state "failed" (or "exited" for code 0)
   * and its log tail; it is not reported again by drainNotices(). Throws only when `cwd` is unusable.
   */
  async start(command: string, options: { cwd: string; env?: Record<string, string | undefined> }): Promise<StartResult> {
    if (!isDirectory(options.cwd)) throw new Error(`working directory ${options.cwd} does not exist`);
    const child = spawnShell(command, options);
    const job = this.track(command, child);
    let ready: () => void = () => {};
    const readySeen = new Promise<void>((resolve) => (ready = resolve));
    job.onLine = (line) => {
      if (!READY.test(line)) return;
      job.onLine = undefined;
      setTimeout(ready, SETTLE_MS);
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.startupMs)));
    await Promise.race([readySeen, job.closed, timeout]);
    clearTimeout(timer);
    job.starting = false;
    job.onLine = undefined;
    const lines = this.visible(job);
    if (job.totalLines <= 2 * HEAD_LINES) return { ...info(job), log: lines };
    // The command line is at the top and the URL or the error at the bottom; keep both ends.
    const omitted = `[... ${job.totalLines - 2 * HEAD_LINES} lines omitted ...]`;
    return { ...info(job), log: [...job.head, omitted, ...lines.slice(-HEAD_LINES)] };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map(info);
  }

  /** The last `n` log lines of job `id`, under a header with its state. Throws for an unknown id. */
  logs(id: number, n = 50): string {
    const job = this.get(id);
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
    return { id, command: job.command, wasRunning: true, ...report };
  }

  /** Stop every running job; resolves when all of them are gone. */
  async killAll(): Promise<KillResult[]> {
    return Promise.all(this.running().map((job) => this.kill(job.id)));
  }

  /**
   * SIGKILL every running job's tree at once.
   *
   * Contract: synchronous, so it works inside process.on("exit"), where no promise ever settles.
   */
  killAllSync(): void {
    for (const job of this.running()) {
      job.stopping = true;
      killTreeSync(job.pid);
      job.state = "killed";
    }
  }

  /** One message per job that ended on its own since the last call, each with its last lines. */
  drainNotices(): string[] {
    const ids = this.notices;
    this.notices = [];
    return ids.map((id) => {
      const job = this.get(id);
      const tail = this.visible(job).slice(-NOTICE_LINES);
      const ending = job.exitCode !== null ? `exited with code ${job.exitCode}` : `was killed by ${job.signal}`;
      const output = tail.length ? `; last output:\n${tail.map((line) => `  ${line}`).join("\n")}` : "";
      return `job ${id} \`${job.command}\` ${ending}${output}`;
    });
  }

  /** A table of all jobs, for bg_list and the person's /bg. */
  formatList(now = Date.now()): string {
    const jobs = [...this.jobs.values()];
    if (jobs.length === 0) return "No background jobs.";
    const rows = [["id", "pid", "state", "uptime", "url", "command"]];
    for (const job of jobs) {
      const uptime = formatDuration((job.endedAt ?? now) - job.startedAt);
      rows.push([String(job.id), String(job.pid), describeState(job), uptime, job.url ?? "-", job.command]);
    }
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    return rows.map((row) => row.map((cell, column) => (column < 5 ? cell.padEnd(widths[column]) : cell)).join("  ")).join("\n");
  }

  private track(command: string, child: ChildProcess): Job {
    let closed: () => void = () => {};
    const job: Job = {
      id: this.nextId++,
      pid: child.pid ?? 0,
      command,
      state: "running",
      exitCode: null,
      signal: null,
      startedAt: Date.now(),
      child,
      lines: [],
      head: [],
      totalLines: 0,
      starting: true,
      stopping: false,
      closed: new Promise((resolve) => (closed = resolve)),
    };
    this.jobs.set(job.id, job);
    const readers = [child.stdout, child.stderr].map((stream) => {
      const reader = this.lineReader(job);
      stream?.on("data", reader.write);
      stream?.on("error", () => {});
      // Jobs must not keep mini-claude alive; process.on("exit") kills them instead.
      (stream as { unref?: () => void } | null)?.unref?.();
      return reader;
    });
    child.unref();
    const end = () => {
      for (const reader of readers) reader.end();
      closed();
    };
    child.on("error", (error) => {
      if (child.pid) return;
      this.addLine(job, `could not start ${userShell()}: ${error.message}`);
      Object.assign(job, { state: "failed", endedAt: Date.now() });
      end();
    });
    child.on("exit", (code, signal) => {
      Object.assign(job, { exitCode: code, signal, endedAt: Date.now() });
      job.state = job.stopping ? "killed" : job.starting && code !== 0 ? "failed" : "exited";
      if (!job.starting && !job.stopping) this.notices.push(job.id);
      // Whatever the shell left behind goes with it, as for foreground commands.
      if (!job.stopping) void terminate(job.pid, this.graceMs);
      setTimeout(end, DRAIN_MS);
    });
    child.on("close", end);
    return job;
  }

  private lineReader(job: Job): { write: (chunk: Buffer) => void; end: () => void } {
    const decoder = new StringDecoder("utf8");
    let partial = "";
    return {
      write: (chunk) => {
        const parts = (partial + decoder.write(chunk)).split("\n");
        partial = parts.pop() ?? "";
        if (partial.length > MAX_PARTIAL_CHARS) {
          parts.push(partial);
          partial = "";
        }
        for (const part of parts) this.addLine(job, part);
      },
      end: () => {
        const rest = partial + decoder.end();
        partial = "";
        if (rest) this.addLine(job, rest);
      },
    };
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
  const { id, pid, command, state, exitCode, signal, startedAt, endedAt, url } = job;
  return { id, pid, command, state, exitCode, signal, startedAt, ...(endedAt ? { endedAt } : {}), ...(url ? { url } : {}) };
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
