/**
 * Background jobs: dev servers, watchers and anything else that should outlive one tool call. Each
 * job is a shell in its own process group with a rolling log (job-log.ts: a file the job writes to,
 * never a pipe, so a job kept by --keep-background outlives mini-claude). kill() takes the whole
 * tree down and returns only once it is gone, so its ports are free again; at the end of the
 * session children.ts's killAll() stops every job through it.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobLog } from "./job-log.js";
import { adopt, alsoOnKill, release } from "./children.js";
import { KILL_GRACE_MS, terminate, type KillReport } from "./process-tree.js";
import { missingDirectory, spawnShell, userShell, type StartedShell } from "./spawn.js";
import { exposeJobPort, type ExposedPort } from "./job-ports.js";

export const MAX_LOG_LINES = 500;
const STARTUP_MS = 3000;
/** Servers often print their URL right after the line that says they are ready. */
const SETTLE_MS = 200;
/** Lines of output kept with a job that ended on its own. */
const NOTICE_LINES = 5;
/** Log files are read this often while a job starts (ready detection), then less often. */
const STARTUP_POLL_MS = 20;
const POLL_MS = 100;

const READY = /\b(?:listening|ready|started server|compiled|serving|running (?:on|at)|started on|watching for)\b|https?:\/\/\S/i;
const LOCAL_URL = /https?:\/\/(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\])(?::\d+)?[^\s"'<>)\]]*/i;
const PORT_ONLY = /\b(?:listening|running|serving|started)\b.*?\bport\s*:?\s*(\d{2,5})\b/i;

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
  /** Where the job's output goes; removed once the job has ended (or is killed at exit), kept while it runs. */
  logFile: string;
}

export interface StartResult extends JobInfo {
  /** The log so far; past 20 lines, the first and last 10 around an "[... N lines omitted ...]" line. */
  log: string[];
  /** The startup wait was cut short by the abort signal; the job was left as it was. */
  interrupted?: true;
}

export interface JobLogView {
  job: JobInfo;
  /** The newest lines asked for, oldest first. */
  lines: string[];
  /** Every line the job printed so far. */
  totalLines: number;
  /** How many lines the rolling log keeps; older ones are gone. */
  keptLines: number;
}

export interface EndedJob extends JobInfo {
  /** Its last few lines of output. */
  lastLines: string[];
}

/** A job id that names no job; `known` lists the ids there are. */
export class UnknownJobError extends Error {
  constructor(
    readonly id: number,
    readonly known: number[],
  ) {
    super(`there is no background job ${id}`);
  }
}

export interface KillResult extends KillReport {
  id: number;
  command: string;
  /** False when the job had already ended; nothing was signalled then. */
  wasRunning: boolean;
}

interface Job extends JobInfo {
  child: ChildProcess;
  /** Followed, and its file kept, until the job and its leftovers are gone. */
  log: JobLog;
  starting: boolean;
  stopping: boolean;
  /** Left running for after we exit (--keep-background): its log file stays. */
  handedOff?: true;
  /** Resolves once the shell has exited and its output so far has been read. */
  closed: Promise<void>;
  /** The forward of its server's port from the host into its sandbox (job-ports.ts). */
  exposed?: ExposedPort;
  /** Called with each new log line; start() uses it to see the job get ready. */
  onLine?: (line: string) => void;
}

export interface JobManagerOptions {
  startupMs?: number;
  /** SIGTERM to SIGKILL; defaults to KILL_GRACE_MS, the same as for foreground commands. */
  graceMs?: number;
  maxLogLines?: number;
  /** Where job logs go; by default a fresh private directory under os.tmpdir(), removed at the end (children.ts's killAll()). */
  logDir?: string;
  /** Size past which a job's log file is emptied once read; defaults to MAX_LOG_FILE_BYTES in job-log.ts. */
  maxLogFileBytes?: number;
}

export class JobManager {
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private notices: number[] = [];
  private readonly endListeners = new Set<(job: JobInfo) => void>();
  private readonly startupMs: number;
  private readonly graceMs: number;
  private readonly maxLogLines: number;
  private readonly maxLogFileBytes?: number;
  private readonly ownLogDir: boolean;
  private logDir?: string;
  /** Whether removeLogs() is registered to run when the session's processes are killed. */
  private logsCleanedAtKill = false;

  constructor(options: JobManagerOptions = {}) {
    this.startupMs = options.startupMs ?? STARTUP_MS;
    this.graceMs = options.graceMs ?? KILL_GRACE_MS;
    this.maxLogLines = options.maxLogLines ?? MAX_LOG_LINES;
    this.maxLogFileBytes = options.maxLogFileBytes;
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
  async start(command: string, options: { cwd: string; env?: Record<string, string | undefined>; signal?: AbortSignal; unsandboxed?: boolean }): Promise<StartResult> {
    const problem = missingDirectory(options.cwd);
    if (problem) throw new Error(problem);
    const job = await this.launch(command, options);
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
    job.log.read();
    job.starting = false;
    job.onLine = undefined;
    job.log.follow(POLL_MS);
    return { ...info(job), log: job.log.excerpt(), ...(interrupted && job.state === "running" ? { interrupted: true } : {}) };
  }

  list(): JobInfo[] {
    return this.caughtUp().map(info);
  }

  /** The last `n` lines of job `id`'s rolling log. Throws UnknownJobError for an unknown id. */
  logs(id: number, n = 50): JobLogView {
    const job = this.get(id);
    job.log.read();
    const lines = job.log.lines();
    return { job: info(job), lines: lines.slice(-Math.max(1, n)), totalLines: job.log.totalLines, keptLines: this.maxLogLines };
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
    job.log.close();
    release(job.pid);
    return { id, command: job.command, wasRunning: true, ...report };
  }

  /**
   * --keep-background: the running jobs stay after we exit, each with the one command that stops
   * it (its process group, and the forward of its server's port when it has one).
   */
  keepRunning(): { job: JobInfo; stop: string }[] {
    return this.running().map((job) => {
      release(job.pid);
      job.handedOff = true;
      const forwarder = job.exposed?.handOff();
      job.exposed = undefined;
      return { job: info(job), stop: `kill -- -${job.pid}${forwarder ? ` ${forwarder}` : ""}` };
    });
  }

  /** Ids of the jobs that ended on their own and drainEnded() has not reported yet. */
  unreported(): number[] {
    return [...this.notices];
  }

  /** The jobs that ended on its own since the last call, each with its last lines of output. */
  drainEnded(): EndedJob[] {
    const ids = this.notices;
    this.notices = [];
    return ids.map((id) => {
      const job = this.get(id);
      job.log.read();
      return { ...info(job), lastLines: job.log.lines().slice(-NOTICE_LINES) };
    });
  }

  /**
   * Calls `listener` as soon as a job ends on its own (the jobs drainEnded() reports), so a mode
   * can show it at once; drainEnded() still reports it. Returns the unsubscribe function.
   */
  onEnded(listener: (job: JobInfo) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Spawns the shell with its output going to a fresh log file, and follows that file. */
  private async launch(command: string, options: { cwd: string; env?: Record<string, string | undefined>; unsandboxed?: boolean }): Promise<Job> {
    const id = this.nextId++;
    this.logDir ??= mkdtempSync(join(tmpdir(), `mini-claude-${process.pid}-`));
    mkdirSync(this.logDir, { recursive: true });
    if (!this.logsCleanedAtKill) alsoOnKill(() => this.removeLogs(), { keptWithJobs: true });
    this.logsCleanedAtKill = true;
    const log = new JobLog(join(this.logDir, `job-${id}.log`), {
      maxLines: this.maxLogLines,
      maxFileBytes: this.maxLogFileBytes,
      onLine: (line) => {
        if (!job.url) {
          job.url = detectUrl(line);
          if (job.url && sandbox) void this.expose(job, job.url);
        }
        job.onLine?.(line);
      },
    });
    let started: StartedShell;
    try {
      started = await spawnShell(command, { cwd: options.cwd, env: options.env, unsandboxed: options.unsandboxed, output: log.output, background: true, onSweep: (line) => log.add(line) });
    } catch (error) {
      log.close();
      throw error;
    }
    const { child, sandbox } = started;
    let closed: () => void = () => {};
    const job: Job = {
      id,
      pid: child.pid ?? 0,
      command,
      state: "running",
      exitCode: null,
      signal: null,
      startedAt: Date.now(),
      logFile: log.file,
      child,
      log,
      starting: true,
      stopping: false,
      closed: new Promise((resolve) => (closed = resolve)),
    };
    this.jobs.set(id, job);
    adopt(job.pid, "job", {
      // A job that ended on its own may still have leftovers being killed.
      stop: () => (job.state === "running" ? this.kill(id) : terminate(job.pid, this.graceMs)),
      killed: () => {
        job.stopping = true;
        job.state = "killed";
      },
    });
    log.follow(STARTUP_POLL_MS);
    // Jobs must not keep mini-claude alive; the kill at exit (children.ts) takes them instead.
    child.unref();
    child.on("error", (error) => {
      if (child.pid) return;
      log.add(`could not start ${userShell()}: ${error.message}`);
      Object.assign(job, { state: "failed", endedAt: Date.now() });
      log.close();
      closed();
    });
    child.on("exit", (code, signal) => {
      // Everything the shell wrote is in the file by now.
      log.readToEnd();
      job.exposed?.close();
      const swept = sandbox?.finished();
      if (swept) log.add(swept);
      Object.assign(job, { exitCode: code, signal, endedAt: Date.now() });
      job.state = job.stopping ? "killed" : job.starting && code !== 0 ? "failed" : "exited";
      if (!job.starting && !job.stopping) {
        this.notices.push(job.id);
        for (const listener of this.endListeners) listener(info(job));
      }
      // Whatever the shell left behind goes with it, as for foreground commands; kill() closes the log itself.
      if (!job.stopping) {
        void terminate(job.pid, this.graceMs).then(() => {
          log.close();
          release(job.pid);
        });
      }
      closed();
    });
    return job;
  }

  /** A sandboxed job's server is in the job's own network namespace: forward its port from the host's loopback. */
  private async expose(job: Job, url: string): Promise<void> {
    const port = Number(new URL(url).port || 80);
    const exposed = await exposeJobPort(job.pid, port);
    // A job that died meanwhile has no server to reach: nothing to say.
    if (typeof exposed === "string") {
      if (job.state === "running") job.log.add(`mini-claude: the browser cannot reach this server: ${exposed}.`);
    }
    else if (job.state === "running") job.exposed = exposed;
    else exposed.close();
  }

  private removeLogs(): void {
    for (const job of this.jobs.values()) if (!job.handedOff) job.log.close();
    if (!this.ownLogDir || !this.logDir) return;
    try {
      rmdirSync(this.logDir);
      this.logDir = undefined;
    } catch {
      // Not empty: someone else put a file there; leave it.
    }
  }

  /** Every job, its log read up to now (a URL may be in what it just printed). */
  private caughtUp(): Job[] {
    const jobs = [...this.jobs.values()];
    for (const job of jobs) job.log.read();
    return jobs;
  }

  private running(): Job[] {
    return [...this.jobs.values()].filter((job) => job.state === "running");
  }

  private get(id: number): Job {
    const job = this.jobs.get(id);
    if (job) return job;
    throw new UnknownJobError(id, [...this.jobs.keys()]);
  }
}

function info(job: Job): JobInfo {
  const { id, pid, command, state, exitCode, signal, startedAt, endedAt, url, logFile } = job;
  return { id, pid, command, state, exitCode, signal, startedAt, ...(endedAt ? { endedAt } : {}), ...(url ? { url } : {}), logFile };
}

function detectUrl(line: string): string | undefined {
  const url = LOCAL_URL.exec(line)?.[0];
  if (url) return url;
  const port = PORT_ONLY.exec(line)?.[1];
  return port ? `http://localhost:${port}` : undefined;
}
