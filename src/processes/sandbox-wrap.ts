/**
 * Wrapping one command for the sandbox: its own write and protection lists, the session's temp
 * folder, relays to the servers of mini-claude's own jobs, and, once it has ended, the clean-up and
 * the sweep of what it created at a protected path. The engine and the session are sandbox.ts's.
 */
import { randomBytes } from "node:crypto";
import type { SandboxRuntimeConfig } from "@anthropic-ai/sandbox-runtime";
import { activeSandbox, type SandboxSession } from "./sandbox.js";
import { commandEnded, commandStarted, runningCommands } from "./sandbox-network.js";
import { commandProtection, nestedProtected } from "./sandbox-policy.js";
import { jobPorts } from "./job-ports.js";
import { sweepCreated } from "./protected-sweep.js";

/** A command wrapped for the sandbox: spawn `argv` with `env` laid over the command's own, then call finished(). */
export interface SandboxedCommand {
  argv: string[];
  env: Record<string, string>;
  /** After the command ended: cleans up, and returns one line for the model when it left something the sandbox removed. */
  finished(): string | undefined;
  /** What the engine blocked while it ran, one line each (domains, paths). */
  violations(): string[];
}

/** How often a running job's protected paths are checked for what it created. */
const JOB_SWEEP_MS = 1000;

/** The wraps so far, one after another: each changes the process's working directory while it runs. */
let wrapping: Promise<unknown> = Promise.resolve();

/**
 * Wrap `shellCommand` (run by `shell -c`) for the sandbox, or undefined when the sandbox is off.
 *
 * Contract: rejects only when the engine cannot wrap it (the caller reports that as the command's
 * failure). Every wrap gets a fresh random id, so the engine's records of one command never mix
 * with another's.
 */
export async function sandboxCommand(
  shellCommand: string,
  options: {
    shell: string;
    label: string;
    background?: boolean;
    /** A job's: what the sweep removed while it runs. */
    onSweep?: (line: string) => void;
    /** Nothing writable but the session's temp folder; a domain it wants is refused, never asked about. */
    readOnly?: boolean;
  },
): Promise<SandboxedCommand | undefined> {
  const active = await activeSandbox();
  if (!active) return undefined;
  const { session, lib } = active;
  const { root, policy, tmp } = session;
  // The scan for nested protected paths ran as the last command ended, if nothing has run since.
  const nested = !runningCommands() && session.nextNested ? await session.nextNested : await nestedProtected(root);
  session.nextNested = undefined;
  const protection = commandProtection(root, nested);
  const commandId = randomBytes(16).toString("base64url");
  const custom: Partial<SandboxRuntimeConfig> = {
    filesystem: { denyRead: policy.denyRead, allowRead: [], allowWrite: options.readOnly ? [tmp] : policy.allowWrite, denyWrite: [...policy.denyWrite, ...protection.protect] },
  };
  // A foreground command reaches the servers of mini-claude's own jobs, and no other local service.
  const ports = options.background || options.readOnly ? [] : jobPorts();
  // The session's private temp folder, not the engine's shared /tmp/claude.
  const command = `export TMPDIR=${quote(tmp)}\n${ports.length ? `${jobPortRelays(ports)}\n` : ""}${shellCommand}`;
  const wrapped = await insideWrapDir(session, () => lib.SandboxManager.wrapWithSandboxArgv(command, options.shell, custom, undefined, undefined, { commandId, commandText: options.label }));
  if (ports.length) lib.SandboxManager.registerCommandNetworkLists(commandId, { allowedDomains: ports.map((port) => `127.0.0.1:${port}`) });
  commandStarted(commandId, { label: options.label, background: Boolean(options.background), readOnly: Boolean(options.readOnly) });
  const sweepLine = () => {
    const removed = sweepCreated(root, protection.watch);
    return removed.length ? `Sandbox: removed ${removed.join(", ")}, which the command created: protected paths are written only with write_file, which asks the user.` : undefined;
  };
  // A job runs for long: what it creates at a protected path goes within a second, not at its end.
  const sweeper = options.background
    ? setInterval(() => {
        const line = sweepLine();
        if (line) options.onSweep?.(line);
      }, JOB_SWEEP_MS).unref()
    : undefined;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(wrapped.env)) if (value !== undefined && process.env[name] !== value) env[name] = value;
  let done = false;
  // The engine's bwrap dies with its parent (--die-with-parent), which should be us, so that a
  // kill -9 of mini-claude takes every command with it: the shell that starts it execs it. A job
  // that must outlive us (--keep-background) gets a shell of its own as that parent instead.
  const [shell, flag, script, ...rest] = wrapped.argv;
  const direct = flag === "-c" && script?.startsWith("bwrap ") ? [shell!, flag, `exec ${script}`, ...rest] : wrapped.argv;
  const argv = options.background && session.jobsOutliveUs ? ["/bin/sh", "-c", '"$@"; exit $?', "sh", ...wrapped.argv] : direct;
  return {
    argv,
    env,
    violations: () => lib.SandboxManager.getSandboxViolationStore().getViolationsForCommand(commandId).map((violation) => violation.line),
    finished() {
      if (done) return undefined;
      done = true;
      commandEnded(commandId);
      if (ports.length) lib.SandboxManager.unregisterCommandNetworkLists(commandId);
      // The engine's mount points serve every sandbox still running: clean them only when none is.
      clearInterval(sweeper);
      if (!runningCommands()) {
        lib.SandboxManager.cleanupAfterCommand();
        session.nextNested = nestedProtected(root).catch(() => []);
      }
      return sweepLine();
    },
  };
}

/**
 * The engine computes the workspace's own protected paths from the process's working directory,
 * and mounts an empty placeholder over each that is missing, which would show in the person's
 * `git status` for as long as a command runs. So it wraps from an empty folder of ours, and
 * sandbox-policy.ts names the workspace's protected paths itself: only those that exist. One wrap
 * at a time, since the working directory is the process's.
 *
 * Why process.chdir and not an argument: wrapWithSandboxArgv takes a `cwd`, but the engine (0.0.83)
 * uses it only on Windows; on Linux and macOS it reads process.cwd() (linuxGetMandatoryDenyPaths,
 * the seatbelt profile's anchors) and starts a wrap over when the directory changes mid-wrap.
 */
async function insideWrapDir<T>(session: SandboxSession, wrap: () => Promise<T>): Promise<T> {
  const turn = wrapping.then(async () => {
    const before = process.cwd();
    process.chdir(session.wrapDir);
    try {
      return await wrap();
    } finally {
      process.chdir(before);
    }
  });
  wrapping = turn.catch(() => {});
  return turn;
}

/**
 * Shell lines that make the jobs' ports answer on the command's own loopback: a socat per port,
 * relaying through the engine's proxy (with the command's own proxy credentials, so only this
 * command's allow list applies) to the host's loopback, where job-ports.ts forwards into the job.
 * The command starts once every relay listens (at most ~1 s).
 */
function jobPortRelays(ports: number[]): string {
  const relays = ports.map((port) => `socat TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr PROXY:127.0.0.1:127.0.0.1:${port},proxyport="\${HTTP_PROXY##*:}",proxyauth="$__mc_auth" >/dev/null 2>&1 &`);
  const waits = ports.map((port) => {
    const hex = port.toString(16).toUpperCase().padStart(4, "0");
    return `__mc_i=0; while [ $__mc_i -lt 100 ] && ! grep -q ":${hex} 00000000:0000 0A" /proc/net/tcp 2>/dev/null; do sleep 0.01; __mc_i=$((__mc_i + 1)); done`;
  });
  return [
    `__mc_auth=$(printf '%s' "\${HTTP_PROXY#*://}" | sed 's/@.*//; s/%3D/=/g; s/%2B/+/g; s/%2F/\\//g')`,
    ...relays,
    ...waits,
    "unset __mc_auth __mc_i",
  ].join("\n");
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
