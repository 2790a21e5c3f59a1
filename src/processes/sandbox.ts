/**
 * The OS sandbox every shell command runs in on Linux: bubblewrap (`bwrap`, the system binary).
 * The whole filesystem is read-only except the workspace, a private per-session /tmp and the
 * package caches that exist; `.git/hooks`, `.git/config` and the workspace's `.mini-claude/` stay
 * read-only; a new pid namespace with --die-with-parent means nothing a command starts outlives
 * its job or mini-claude, even after `kill -9` of mini-claude.
 *
 * One sandbox per process (configured once at start by main.ts through configureSandbox()), so
 * spawn.ts can wrap every command without each caller passing it along. Never a silent fallback:
 * when the probe fails the state says why and what to install, and the banner shows it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";

export type SandboxMode = "off" | "auto" | "on";

export interface SandboxState {
  mode: SandboxMode;
  /** Commands run inside bwrap. */
  active: boolean;
  /** Why it is not active (one line, with what to install or set), when it was wanted. */
  problem?: string;
  /** --allow-net: foreground commands get the network too. */
  allowNet: boolean;
  /** The argv of the last command's sandbox (everything before the shell), for /sandbox. */
  lastArgv?: string[];
}

export interface SandboxSetup {
  mode: SandboxMode;
  /** Real path of the workspace. */
  root: string;
  allowNet?: boolean;
  /** Background jobs may outlive mini-claude (--keep-background): they do not die with it. */
  jobsOutliveUs?: boolean;
  /** The bwrap binary to probe and use (tests); default: found on PATH. */
  bwrap?: string;
}

/** Package-manager caches a build may write to, relative to the home folder; only those that exist are bound. */
const CACHES = [".npm", ".cache", ".cargo/registry", "go/pkg/mod", ".yarn", ".pnpm-store"];

let state: SandboxState = { mode: "off", active: false, allowNet: false };
let setup: (SandboxSetup & { tmp: string; bwrap: string }) | undefined;

/** The state now; inactive until configureSandbox() ran. */
export function sandboxState(): SandboxState {
  return state;
}

/**
 * Probe bwrap once (`bwrap … true`) and set the process-wide sandbox.
 *
 * Contract: with mode "off" nothing is probed. A failed probe leaves the sandbox inactive with
 * `problem` set; the caller shows it (and refuses to run commands when the mode is "on").
 */
export function configureSandbox(options: SandboxSetup): SandboxState {
  dispose();
  const allowNet = Boolean(options.allowNet);
  if (options.mode === "off" || process.platform !== "linux") {
    const problem = options.mode === "off" ? undefined : "the sandbox needs Linux (bubblewrap); commands run without it, with approvals";
    state = { mode: options.mode, active: false, allowNet, ...(problem ? { problem } : {}) };
    return state;
  }
  const bwrap = options.bwrap ?? findOnPath("bwrap");
  if (!bwrap) {
    state = { mode: options.mode, active: false, allowNet, problem: "sandbox off: bwrap not found (install the bubblewrap package, e.g. apt-get install bubblewrap); commands ask for approval" };
    return state;
  }
  const tmp = mkdtempSync(join(tmpdir(), "mini-claude-sandbox-"));
  setup = { ...options, tmp, bwrap };
  const probe = spawnSync(bwrap, [...boundary({ network: false, dieWithParent: true }), "true"], { encoding: "utf8", timeout: 5000 });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split("\n")[0];
    dispose();
    state = {
      mode: options.mode,
      active: false,
      allowNet,
      problem: `sandbox off: bwrap failed (${why}); enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or an AppArmor profile for bwrap); commands ask for approval`,
    };
    return state;
  }
  state = { mode: options.mode, active: true, allowNet };
  return state;
}

/**
 * The argv that runs `shellArgv` inside the sandbox, or undefined when the sandbox is not active.
 * Foreground commands get no network unless `network` (or --allow-net); background jobs share it.
 */
export function sandboxArgv(shellArgv: string[], options: { cwd: string; network: boolean; background: boolean }): string[] | undefined {
  if (!state.active || !setup) return undefined;
  const network = options.network || options.background || state.allowNet;
  const dieWithParent = !(options.background && setup.jobsOutliveUs);
  const argv = [setup.bwrap, ...boundary({ network, dieWithParent }), "--chdir", options.cwd];
  state.lastArgv = argv;
  return [...argv, "--", ...shellArgv];
}

/** Remove the session's /tmp; called on exit. */
export function disposeSandbox(): void {
  dispose();
  state = { ...state, active: false };
}

function dispose(): void {
  if (setup) rmSync(setup.tmp, { recursive: true, force: true });
  setup = undefined;
}

/** bwrap's options: the mounts (order matters: later mounts cover earlier ones), namespaces, environment. */
function boundary(options: { network: boolean; dieWithParent: boolean }): string[] {
  if (!setup) return [];
  const root = setup.root;
  const args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--bind", setup.tmp, "/tmp"];
  const home = homeOrUndefined();
  for (const path of home ? CACHES.map((cache) => join(home, cache)) : []) {
    if (isDirectory(path) && !inside(root, path)) args.push("--bind", path, path);
  }
  args.push("--bind", root, root);
  args.push(...gitMounts(root));
  // Protect only what exists: bwrap would create an empty file or folder in the project for a missing one.
  for (const path of [join(root, ".git", "hooks"), join(root, ".git", "config"), join(root, ".mini-claude")]) {
    if (existsSync(path)) args.push("--ro-bind", path, path);
  }
  args.push("--unshare-pid", "--new-session");
  if (options.dieWithParent) args.push("--die-with-parent");
  if (!options.network) args.push("--unshare-net");
  args.push("--setenv", "TMPDIR", "/tmp");
  return args;
}

/**
 * A git worktree whose gitdir lives outside the workspace: its own folder (index, HEAD, logs) and
 * the common folder's objects, refs and logs writable, so commits work; never hooks or config.
 */
function gitMounts(root: string): string[] {
  const dotGit = join(root, ".git");
  let gitdir: string;
  try {
    if (!statSync(dotGit).isFile()) return [];
    const line = readFileSync(dotGit, "utf8").match(/^gitdir:\s*(.+)$/m)?.[1]?.trim();
    if (!line) return [];
    gitdir = realpathSync(resolve(root, line));
  } catch {
    return [];
  }
  if (inside(root, gitdir)) return [];
  const args = ["--bind", gitdir, gitdir];
  let common = gitdir;
  try {
    const pointer = readFileSync(join(gitdir, "commondir"), "utf8").trim();
    common = realpathSync(resolve(gitdir, pointer));
  } catch {
    // Not a linked worktree: the gitdir is the common folder.
  }
  for (const name of ["objects", "refs", "logs"]) {
    const path = join(common, name);
    if (isDirectory(path)) args.push("--bind", path, path);
  }
  for (const name of ["hooks", "config"]) {
    const path = join(gitdir, name);
    if (existsSync(path)) args.push("--ro-bind", path, path);
  }
  return args;
}

/** A user without a home folder (no passwd entry) has no caches to bind; os.homedir() throws then. */
function homeOrUndefined(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
