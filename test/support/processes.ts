import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { isAlive } from "../../src/processes/process-tree.js";

/** Polls until `check` holds; false if it never did within the time. */
export async function eventually(check: () => boolean, withinMs = 3000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A workspace dev server as people have them: `npm run dev` → sh → node, and the node server
 * forks a worker. It writes `pids.json` (server, worker, port) once it listens, and logs each
 * request before answering it, so a server whose output has nowhere to go fails the request
 * (process.stdout.write, since console.log ignores EPIPE).
 */
export const DEV_SERVER_FILES = {
  "package.json": JSON.stringify({ name: "app", private: true, scripts: { dev: "node server.js" } }),
  "server.js": `
    const http = require("node:http");
    const { fork } = require("node:child_process");
    const fs = require("node:fs");
    const worker = fork(__dirname + "/worker.js");
    const server = http.createServer((req, res) => {
      process.stdout.write(req.method + " " + req.url + "\\n");
      setTimeout(() => res.end("hello from dev"), 10);
    });
    server.listen(0, "127.0.0.1", () => {
      const port = server.address().port;
      fs.writeFileSync(__dirname + "/pids.json", JSON.stringify({ server: process.pid, worker: worker.pid, port }));
      console.log("listening on http://localhost:" + port + "/");
    });
  `,
  "worker.js": "setInterval(() => {}, 1000);",
};

export interface DevServerPids {
  server: number;
  worker: number;
  port: number;
}

export async function readDevServerPids(root: string): Promise<DevServerPids> {
  let pids: DevServerPids | undefined;
  // npm, then node, then its fork: seconds on a loaded machine, and nothing else to wait for.
  await eventually(() => {
    try {
      pids = JSON.parse(readFileSync(join(root, "pids.json"), "utf8"));
      return true;
    } catch {
      return false;
    }
  }, 15_000);
  if (!pids) throw new Error("the dev server never wrote pids.json");
  return { ...pids, server: hostPid(pids.server, root), worker: hostPid(pids.worker, root) };
}

/**
 * The pid as this test sees it of a process that wrote its own pid from inside the sandbox's pid
 * namespace: the host process whose innermost NSpid is `pid` and whose working folder is `root`.
 * Outside a sandbox that is the pid itself. When no such process is left, a pid no process can
 * have (above pid_max), so that isAlive() says it is gone rather than naming an unrelated process.
 */
export function hostPid(pid: number, root: string): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const nspids = /^NSpid:\s*(.+)$/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1].trim().split(/\s+/);
      if (!nspids || Number(nspids[nspids.length - 1]) !== pid) continue;
      if (realpathSync(readlinkSync(`/proc/${entry}/cwd`)) === realpathSync(root)) return Number(entry);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return Number(readFileSync("/proc/sys/kernel/pid_max", "utf8")) + 1;
}

/** True once neither process of the dev server is alive and its port takes a new listener. */
export async function devServerGone(pids: DevServerPids): Promise<boolean> {
  // Generous waits: on a loaded 2-core machine a killed process can take a while to be gone.
  const dead = await eventually(() => !isAlive(pids.server) && !isAlive(pids.worker), 10_000);
  if (!dead) return false;
  const deadline = Date.now() + 5000;
  while (!(await portIsFree(pids.port))) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
