import { killTreeSync } from "./process-tree.js";

/**
 * Long-lived helper processes mini-claude starts for itself (MCP servers over stdio). They are not
 * jobs the model manages, but they die with mini-claude all the same, process tree and all.
 */
const live = new Set<number>();

export function trackServer(pid: number): void {
  if (pid > 0) live.add(pid);
}

export function untrackServer(pid: number): void {
  live.delete(pid);
}

/** SIGKILL every tracked server and its descendants. Contract: synchronous, for process.on("exit"). */
export function killServersSync(): void {
  for (const pid of live) killTreeSync(pid);
  live.clear();
}
