/**
 * What dies with mini-claude: the one registry of every process tree it started and still owns
 * (foreground commands, hooks, MCP stdio servers, background jobs, the relays of a job's port), and
 * the one killAll() that every way out of the process ends in.
 */
import { killTreeSync, terminate } from "./process-tree.js";

export type ChildKind = "command" | "hook" | "server" | "job" | "relay";

interface Child {
  kind: ChildKind;
  /** How its owner stops it gracefully (a job's manager then records it as killed, not crashed). */
  stop?: () => Promise<unknown>;
  /** Told before the tree is SIGKILLed at exit, for the same reason. */
  killed?: () => void;
}

interface Cleanup {
  run: () => void;
  /** Needed by jobs that outlive us (their log files, the sandbox they run in): kept with them. */
  keptWithJobs: boolean;
}

/** By pid, which for everything but a relay is also the process group id. */
const children = new Map<number, Child>();
const cleanups = new Set<Cleanup>();
/** --keep-background: jobs are handed off, not killed, however we exit. */
let jobsOutliveUs = false;

/**
 * Track the tree of `pid` until release(pid): killAll() takes it down with everything under it
 * (also descendants that moved to a group of their own).
 */
export function adopt(pid: number | undefined, kind: ChildKind, owner: { stop?: () => Promise<unknown>; killed?: () => void } = {}): void {
  if (pid && pid > 0) children.set(pid, { kind, ...owner });
}

/** The tree of `pid` is gone (or handed off): it is no longer ours to kill. */
export function release(pid: number | undefined): void {
  if (pid) children.delete(pid);
}

/**
 * Run `cleanup` (synchronous, idempotent) after the trees whenever killAll() runs: the sandbox's
 * bridges and temp folders, job logs. Returns the function that unregisters it.
 */
export function alsoOnKill(cleanup: () => void, options: { keptWithJobs?: boolean } = {}): () => void {
  const entry = { run: cleanup, keptWithJobs: Boolean(options.keptWithJobs) };
  cleanups.add(entry);
  return () => cleanups.delete(entry);
}

/** --keep-background: from now on killAll() leaves every job (and what jobs need) running. */
export function keepJobsAtExit(): void {
  jobsOutliveUs = true;
}

/** Pids of the trees we own, of one kind or all (for tests and reports). */
export function adopted(kind?: ChildKind): number[] {
  return [...children].filter(([, child]) => !kind || child.kind === kind).map(([pid]) => pid);
}

/**
 * Stop every tree we own, then run the clean-ups. Each goes as its owner stops it (a job through
 * its manager), otherwise SIGTERM and, after the grace, SIGKILL to the whole tree.
 *
 * Contract: never rejects. With `now` (process.on("exit"), where no promise ever settles) every
 * tree is SIGKILLed and every clean-up has run before it returns. Jobs kept by --keep-background
 * are skipped, with the clean-ups they need.
 */
export function killAll(options: { now?: boolean } = {}): Promise<void> {
  const mine = [...children].filter(([, child]) => !(jobsOutliveUs && child.kind === "job"));
  const cleanUp = () => {
    for (const cleanup of cleanups) {
      if (jobsOutliveUs && cleanup.keptWithJobs) continue;
      try {
        cleanup.run();
      } catch {
        // One clean-up that fails must not keep the others from running.
      }
    }
  };
  if (options.now) {
    for (const [pid, child] of mine) {
      child.killed?.();
      killTreeSync(pid);
      children.delete(pid);
    }
    cleanUp();
    return Promise.resolve();
  }
  const stopped = mine.map(async ([pid, child]) => {
    await (child.stop ? child.stop() : terminate(pid)).catch(() => undefined);
    children.delete(pid);
  });
  return Promise.all(stopped).then(cleanUp);
}
