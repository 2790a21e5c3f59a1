/**
 * A sandboxed job's server listens inside the job's own network namespace (the engine gives every
 * command one, so that its only way out is the proxy that checks domains). So that the person's
 * browser reaches it at the URL the job printed, the same port on the host's loopback is
 * forwarded into that namespace: each connection is one `nsenter … socat` pair, which ends with
 * the connection. Nothing else on the host becomes reachable from the job: the forward goes in,
 * never out.
 */
import { spawn, spawnSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { adopt, release } from "./children.js";
import { processTree } from "./process-tree.js";

/** Ports of running jobs forwarded to the host's loopback: a foreground command reaches them too (sandbox-wrap.ts). */
const forwarded = new Set<number>();

export function jobPorts(): number[] {
  return [...forwarded];
}

export interface ExposedPort {
  close(): void;
  /**
   * For a job left running after we exit (--keep-background): the forward moves to a detached
   * socat of its own, whose pid is returned (undefined when it could not start).
   */
  handOff(): number | undefined;
}

/**
 * Forward 127.0.0.1:`port` on the host into the namespace of job `pgid`.
 *
 * Contract: resolves to the forward, or to a one-line reason when it cannot be made (the job
 * shares the host's network, the port is taken on the host, the namespace is gone). Never rejects.
 */
export async function exposeJobPort(pgid: number, port: number): Promise<ExposedPort | string> {
  const members = processTree(pgid);
  if (!members.length) return "the job has ended";
  const inside = namespaceMember(members);
  if (!inside) return "the job shares the host's network";
  const userNamespace = process.getuid?.() === 0 ? [] : ["-U", "--preserve-credentials"];
  // Entering another network namespace takes a capability there: root has it, another user may not.
  const probe = spawnSync("nsenter", ["-t", String(inside), "-n", ...userNamespace, "true"], { encoding: "utf8", timeout: 5000 });
  if (probe.status !== 0) return `its network namespace cannot be entered from here (${(probe.stderr || probe.error?.message || "nsenter failed").trim().split("\n")[0]})`;
  const server: Server = createServer((socket) => {
    const bridge = spawn("nsenter", ["-t", String(inside), "-n", ...userNamespace, "socat", "-", `TCP:127.0.0.1:${port}`], { stdio: ["pipe", "pipe", "ignore"] });
    adopt(bridge.pid, "relay");
    socket.pipe(bridge.stdin!);
    bridge.stdout!.pipe(socket);
    const end = () => {
      socket.destroy();
      bridge.kill("SIGKILL");
    };
    socket.on("error", end).on("close", end);
    bridge.on("error", end).on("exit", () => {
      release(bridge.pid);
      socket.end();
    });
  });
  return new Promise((resolve) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      resolve(error.code === "EADDRINUSE" ? `port ${port} is already taken on this machine` : `could not listen on port ${port}: ${error.message}`),
    );
    server.listen(port, "127.0.0.1", () => {
      server.unref();
      forwarded.add(port);
      const close = () => {
        forwarded.delete(port);
        server.close();
      };
      resolve({
        close,
        handOff: () => {
          close();
          const forwarder = spawn("socat", [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, `SYSTEM:nsenter -t ${inside} -n ${userNamespace.join(" ")} socat - TCP\\:127.0.0.1\\:${port}`], {
            detached: true,
            stdio: "ignore",
          });
          forwarder.on("error", () => {});
          forwarder.unref();
          return forwarder.pid;
        },
      });
    });
  });
}

/** A process of the job's tree that lives in a network namespace other than ours. */
function namespaceMember(members: number[]): number | undefined {
  const ours = namespaceOf("self");
  for (const pid of members) {
    const theirs = namespaceOf(String(pid));
    if (theirs && theirs !== ours) return pid;
  }
  return undefined;
}

function namespaceOf(pid: string): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return undefined;
  }
}
