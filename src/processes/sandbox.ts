/**
 * The OS sandbox every shell command runs in, and the engine's life in this process: Anthropic's
 * sandbox runtime (@anthropic-ai/sandbox-runtime, the engine behind Claude Code's sandbox):
 * bubblewrap, seccomp and network proxies on Linux, sandbox-exec on macOS. What it allows is
 * sandbox-policy.ts's; wrapping one command is sandbox-wrap.ts's; the network questions are
 * sandbox-network.ts's; this file configures the session, starts the engine and stops it.
 *
 * One sandbox per process (configured once at start by main.ts), so spawn.ts can wrap every
 * command without each caller passing it along. Never a silent fallback: when the probe fails the
 * state says what is missing and how to install it, and the banner shows it. The engine itself
 * (bundled into dist/; ~100 ms of CPU to load, ~130 ms to start its proxies) is loaded by warmSandbox() while the REPL's
 * banner is read or once --print's first request is out, so it is never on that request's path.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alsoOnKill } from "./children.js";
import { sessionPolicy, type SessionPolicy } from "./sandbox-policy.js";
import { engineHelpers, killBridges, missingSupport } from "./sandbox-host.js";
import { askAboutDomain, forgetCommands } from "./sandbox-network.js";

export type SandboxMode = "off" | "auto" | "on";

export interface SandboxState {
  mode: SandboxMode;
  /** Commands run inside the engine's sandbox. */
  active: boolean;
  /** Why it is not active (one line, with what to install), when it was wanted. */
  problem?: string;
  /** --allow-net: every domain is allowed without asking. */
  allowNet: boolean;
  /** Domains commands may reach without asking: flags, settings, and answers so far. */
  allowedDomains: string[];
  /** The session's policy, for /sandbox. */
  policy?: SessionPolicy;
}

export interface SandboxSetup {
  mode: SandboxMode;
  /** Real path of the workspace. */
  root: string;
  /** mini-claude's own config and data folders and the .env files keys come from: never readable. */
  privatePaths?: string[];
  allowNet?: boolean;
  allowedDomains?: string[];
  /** --keep-background: a job's sandbox must not die with mini-claude. */
  jobsOutliveUs?: boolean;
}

/** An active sandbox's session: its setup, private folders and policy. */
export interface SandboxSession extends SandboxSetup {
  /** The session's private temp folder (TMPDIR of every command), not the engine's shared /tmp/claude. */
  tmp: string;
  /** An empty folder the engine wraps from (see sandbox-wrap.ts). */
  wrapDir: string;
  policy: SessionPolicy;
  /** The nested protected paths, scanned while nothing ran (only commands create them unasked). */
  nextNested?: Promise<string[]>;
}

export type Engine = typeof import("@anthropic-ai/sandbox-runtime");

/** The engine's life, in one object so that what is started, loaded and stopped cannot disagree. */
interface EngineLife {
  /** The start under way or done: what every command awaits. */
  starting?: Promise<Engine>;
  /** The module once imported, whether or not it started: what stopSandboxEngine resets. */
  module?: Engine;
  /** Started: its mount points are cleaned synchronously at exit. */
  ready: boolean;
  /** The session is over (stopSandboxEngine ran): nothing warms the engine any more. */
  stopped: boolean;
}

let state: SandboxState = { mode: "off", active: false, allowNet: false, allowedDomains: [] };
let session: SandboxSession | undefined;
const engine: EngineLife = { ready: false, stopped: false };
let disposedAtKill = false;

export function sandboxState(): SandboxState {
  return state;
}

/**
 * Probe once for what the engine needs and set the process-wide sandbox.
 *
 * Contract: with mode "off" nothing is probed. A failed probe leaves the sandbox inactive with
 * `problem` set; the caller shows it (and commands refuse to run when the mode is "on"). Cheap:
 * a few stats and one `bwrap … true` (~6 ms); the engine is loaded later (warmSandbox).
 */
export function configureSandbox(options: SandboxSetup): SandboxState {
  disposeSandbox();
  engine.stopped = false;
  const allowNet = Boolean(options.allowNet);
  const allowedDomains = [...new Set(options.allowedDomains ?? [])];
  state = { mode: options.mode, active: false, allowNet, allowedDomains };
  if (options.mode === "off") return state;
  const problem = missingSupport();
  if (problem) {
    state.problem = `sandbox off: ${problem}; commands ask for approval`;
    return state;
  }
  const tmp = mkdtempSync(join(tmpdir(), "mini-claude-sandbox-"));
  const wrapDir = mkdtempSync(join(tmpdir(), "mini-claude-wrap-"));
  const policy = sessionPolicy({ root: options.root, tmp, privatePaths: options.privatePaths ?? [], allowedDomains });
  session = { ...options, tmp, wrapDir, policy };
  state = { ...state, active: true, policy };
  // Its folders and bridges go with our processes; jobs left running by --keep-background still use them.
  if (!disposedAtKill) alsoOnKill(disposeSandbox, { keptWithJobs: true });
  disposedAtKill = true;
  return state;
}

/** Load and start the engine in the background (its proxies take ~130 ms); commands await it anyway. */
export function warmSandbox(): void {
  if (state.active && !engine.stopped) void startEngine().catch(() => {});
}

/**
 * The active session and its started engine, for wrapping a command; undefined when the sandbox
 * is off. Contract: rejects when the engine cannot start.
 */
export async function activeSandbox(): Promise<{ session: SandboxSession; lib: Engine } | undefined> {
  if (!state.active || !session) return undefined;
  const lib = await startEngine();
  return { session, lib };
}

/**
 * Stop the engine's proxies (they would keep the process alive); called when the mode is over.
 * A job left running by --keep-background keeps its sandbox but loses the network then.
 */
export async function stopSandboxEngine(): Promise<void> {
  // A warm-up scheduled before the session ended must not start the engine after it.
  engine.stopped = true;
  const pending = engine.starting;
  engine.starting = undefined;
  engine.ready = false;
  // Still starting (warmed, never used): its proxies must not outlive the session. A start that
  // failed (a signal's handler in the engine resets it mid-start) may still have spawned its bridge.
  await pending?.catch(() => undefined);
  const lib = engine.module;
  engine.module = undefined;
  if (!lib) return;
  lib.SandboxManager.cleanupAfterCommand();
  await lib.SandboxManager.reset().catch(() => {});
}

/**
 * Remove the session's temp folders and the engine's mount points and bridges. Contract:
 * synchronous and idempotent (children.ts's killAll runs it, also at exit, where no promise settles).
 */
export function disposeSandbox(): void {
  if (session) {
    rmSync(session.tmp, { recursive: true, force: true });
    rmSync(session.wrapDir, { recursive: true, force: true });
  }
  const lib = engine.module;
  if (engine.ready) lib?.SandboxManager.cleanupAfterCommand();
  if (lib) killBridges(process.pid);
  if (engine.ready) void lib?.SandboxManager.reset().catch(() => {});
  engine.starting = undefined;
  engine.module = undefined;
  engine.ready = false;
  session = undefined;
  forgetCommands();
  state = { ...state, active: false };
}

function startEngine(): Promise<Engine> {
  engine.starting ??= (async () => {
    // Bridges a kill -9 of an earlier session orphaned (parent 1) go first.
    killBridges(1);
    const lib = await import("@anthropic-ai/sandbox-runtime");
    engine.module = lib;
    const policy = session!.policy;
    const helpers = engineHelpers();
    await lib.SandboxManager.initialize(
      {
        // macOS: a dev server binds the host's loopback (on Linux each command has its own, see job-ports.ts).
        network: { allowedDomains: policy.allowedDomains, deniedDomains: [], allowLocalBinding: true },
        filesystem: { denyRead: policy.denyRead, allowWrite: policy.allowWrite, denyWrite: policy.denyWrite },
        ...(helpers.applySeccomp ? { seccomp: { applyPath: helpers.applySeccomp } } : {}),
        ...(helpers.javaAgentJar ? { javaAgentJarPath: helpers.javaAgentJar } : {}),
      },
      (destination) => askAboutDomain(state, destination.host, destination.port),
    );
    engine.ready = true;
    return lib;
  })();
  return engine.starting;
}
