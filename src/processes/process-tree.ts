/**
 * Process trees on POSIX: who belongs to a job (its process group plus every descendant, including
 * those that moved to a group of their own), whether a pid is really alive, and a kill that confirms
 * what died. One snapshot of the process table replaces tree-kill, which spawns `ps` once per level
 * and cannot say afterwards what survived.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * Time between SIGTERM and SIGKILL, for foreground commands and background jobs alike: both are
 * stopped for the same reason (the agent or the person is done with them), and servers that shut
 * down cleanly do so well within it.
 */
export const KILL_GRACE_MS = 300;

export interface KillReport {
  /** Processes of the tree that were alive when the kill began and are gone now. */
  killed: number[];
  /** Processes that were still alive when we gave up waiting. */
  survivors: number[];
}

/**
 * Kill process group `pgid` and every descendant of its members (also those that moved to another
 * group): SIGTERM, then SIGKILL after `graceMs` to whatever is left, whether or not the leader lives.
 *
 * Contract: resolves only when every process it found is gone (zombies count as gone: they hold no
 * ports or files) or, for processes that will not die, after about a second more. Never rejects.
 */
export async function terminate(pgid: number, graceMs = KILL_GRACE_MS): Promise<KillReport> {
  // kill(-0) would signal mini-claude's own group; a job whose shell never started has pid 0.
  if (!(pgid > 0)) return { killed: [], survivors: [] };
  const seen = new Set(processTree(pgid));
  signalAll(pgid, seen, "SIGTERM");
  if (!(await allDead(pgid, seen, graceMs))) {
    for (const pid of processTree(pgid)) seen.add(pid);
    signalAll(pgid, seen, "SIGKILL");
    await allDead(pgid, seen, 1000);
  }
  const survivors = [...seen].filter(isAlive);
  return { killed: [...seen].filter((pid) => !survivors.includes(pid)), survivors };
}

/** SIGKILL a group and its descendants at once. Contract: synchronous, so usable in process.on('exit'). */
export function killTreeSync(pgid: number): void {
  if (!(pgid > 0)) return;
  signalAll(pgid, new Set(processTree(pgid)), "SIGKILL");
}

function signalAll(pgid: number, pids: Set<number>, signal: NodeJS.Signals): void {
  trySignal(-pgid, signal);
  for (const pid of pids) trySignal(pid, signal);
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone. EPERM: not ours to kill.
  }
}

async function allDead(pgid: number, pids: Set<number>, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    for (const pid of processTree(pgid)) pids.add(pid);
    if (![...pids].some(isAlive)) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  zombie: boolean;
}

/**
 * Live members of group `pgid` plus all their live descendants, whatever group those are in now.
 * A process that left the group and was reparented to PID 1 is out of reach (as it is for tree-kill).
 */
export function processTree(pgid: number): number[] {
  const table = processTable();
  const found = new Set<number>(table.filter((entry) => entry.pgid === pgid && !entry.zombie).map((entry) => entry.pid));
  if (table.some((entry) => entry.pid === pgid && !entry.zombie)) found.add(pgid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const entry of table) {
      if (!entry.zombie && !found.has(entry.pid) && found.has(entry.ppid)) {
        found.add(entry.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/**
 * Whether `pid` is a running process.
 *
 * Contract: a zombie counts as dead. process.kill(pid, 0) alone says "alive" for zombies, and where
 * PID 1 does not reap (some containers) an orphaned zombie stays forever.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (process.platform !== "linux") return !processTable().some((entry) => entry.pid === pid && entry.zombie);
  try {
    return statFields(readFileSync(`/proc/${pid}/stat`, "utf8"))?.zombie !== true;
  } catch {
    return false;
  }
}

/** Every process on the machine. Contract: never throws; with neither /proc nor ps it is empty. */
function processTable(): ProcessEntry[] {
  if (process.platform === "linux") {
    const names = safely(() => readdirSync("/proc"), []);
    const entries = names.filter((name) => /^\d+$/.test(name)).map((name) =>
      // The process may end while we read it.
      safely(() => statFields(readFileSync(`/proc/${name}/stat`, "utf8")), undefined),
    );
    if (names.length > 0) return entries.filter((entry) => entry !== undefined);
  }
  try {
    const text = execFileSync("ps", ["-A", "-o", "pid=,ppid=,pgid=,stat="], { encoding: "utf8", timeout: 2000 });
    return text
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length >= 4)
      .map(([pid, ppid, pgid, stat]) => ({ pid: +pid, ppid: +ppid, pgid: +pgid, zombie: stat.startsWith("Z") }));
  } catch {
    return [];
  }
}

/** Parses /proc/PID/stat: "pid (comm) state ppid pgrp …"; comm may itself contain spaces and parens. */
function statFields(stat: string): ProcessEntry | undefined {
  const close = stat.lastIndexOf(")");
  const [state, ppid, pgid] = stat.slice(close + 2).split(" ");
  const pid = Number.parseInt(stat, 10);
  if (!pid || !pgid) return undefined;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), zombie: state === "Z" || state === "X" };
}

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
