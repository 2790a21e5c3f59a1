/**
 * What the sandbox allows, as the engine's configuration (@anthropic-ai/sandbox-runtime): decided
 * from the person's setup at start and from what exists in their checkout, never widened by a
 * file a command can write. sandbox.ts hands it to the engine; this file only computes it.
 *
 * Writable: the workspace, the session's private temp folder, npm's content cache (every read of it
 * is checked against its integrity hash, so nothing planted there runs unverified). Never writable:
 * the protected paths (../protected-paths.ts) and `.git`'s internals. Never readable: credential
 * stores and mini-claude's own config and data. Network: only allowed domains, through the engine's
 * proxy; every other domain is asked about (sandbox-network.ts).
 */
import { execFile } from "node:child_process";
import { existsSync, lstatSync, readFileSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { sandboxProtectedPaths } from "../protected-paths.js";
import { exists } from "../workspace.js";

/** Credential stores, relative to the home folder: no command may read them. */
const SECRET_HOME_PATHS = [
  ".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".config/gh", ".netrc", ".git-credentials",
  ".docker/config.json", ".kube", ".npmrc", ".pypirc", ".claude/.credentials.json", ".codex/auth.json",
  ".config/hub", ".terraform.d/credentials.tfrc.json",
];

/** Package caches a build may write: only those whose every read is verified (see the header). */
const WRITABLE_HOME_CACHES = [".npm/_cacache", ".npm/_logs"];

export interface PolicySetup {
  /** Real path of the workspace. */
  root: string;
  /** The session's private temp folder (TMPDIR for commands). */
  tmp: string;
  /** mini-claude's config and data folders, and any .env file it loaded keys from. */
  privatePaths: string[];
  allowedDomains: string[];
  home?: string;
}

/** The engine's configuration for the session (the parts that never change while it runs). */
export interface SessionPolicy {
  denyRead: string[];
  allowWrite: string[];
  /** Written by no command: protected paths that exist, git's internals, a worktree's git folder's hooks and config. */
  denyWrite: string[];
  allowedDomains: string[];
}

export function sessionPolicy(setup: PolicySetup): SessionPolicy {
  const home = setup.home ?? safeHome();
  const denyRead = [...new Set([...(home ? SECRET_HOME_PATHS.map((path) => join(home, path)) : []), ...setup.privatePaths])];
  const allowWrite = [setup.root, setup.tmp, ...(home ? WRITABLE_HOME_CACHES.map((path) => join(home, path)).filter(existsSync) : [])];
  const linked = linkedGitFolder(setup.root);
  if (linked) allowWrite.push(...linked.writable);
  return { denyRead, allowWrite, denyWrite: linked?.protected ?? [], allowedDomains: setup.allowedDomains };
}

/**
 * The protected paths for one command, looked up as it starts: those that exist are mounted
 * read-only (`protect`); those that do not are left alone, so no empty placeholder appears in the
 * person's project, and are swept away if the command creates them (`watch`); so are `.git`'s
 * missing internals. On macOS the engine's rules are patterns, so everything there is `protect`.
 */
export function commandProtection(root: string, nested: string[], platform = process.platform): { protect: string[]; watch: string[] } {
  const { root: names, git } = sandboxProtectedPaths();
  const protect: string[] = [];
  const watch: string[] = [];
  for (const name of names) {
    const path = join(root, name);
    if (platform === "darwin" || exists(path)) protect.push(path);
    else watch.push(path);
  }
  const dotGit = join(root, ".git");
  const kind = entryKind(dotGit);
  // Only what exists: a placeholder over a missing `commondir` makes git itself fail in the sandbox.
  if (kind === "dir") for (const name of git) (exists(join(dotGit, name)) ? protect : watch).push(join(dotGit, name));
  // A worktree's or submodule's `.git` file points git elsewhere: rewriting it would move the boundary.
  else if (kind === "file") protect.push(dotGit);
  else watch.push(dotGit);
  protect.push(...nested.filter(exists));
  return { protect, watch };
}

/**
 * Protected folders and files below the root (a nested repository's hooks, a subfolder's
 * .vscode), as far down as the engine itself looks (3 levels), found with ripgrep, which the
 * engine requires anyway. Only what exists: a missing one would need a placeholder.
 */
export async function nestedProtected(root: string): Promise<string[]> {
  const { root: names, git } = sandboxProtectedPaths();
  const globs = [...names.flatMap((name) => ["--iglob", `*/**/${name}`, "--iglob", `*/**/${name}/**`]), "--iglob", "*/**/.git/HEAD"];
  const args = ["--files", "--hidden", "--no-ignore", "--no-config", "--max-depth", "5", ...globs, "-g", "!**/node_modules/**"];
  const listed = await new Promise<string>((resolve) => {
    execFile("rg", args, { cwd: root, encoding: "utf8", timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (_error, stdout) => resolve(stdout ?? ""));
  });
  const paths = new Set<string>();
  for (const line of listed.split("\n")) {
    if (!line) continue;
    const parts = line.split("/");
    const gitAt = parts.lastIndexOf(".git");
    if (gitAt > 0 && parts[gitAt + 1] === "HEAD") {
      for (const name of git) paths.add(join(root, ...parts.slice(0, gitAt + 1), name));
      continue;
    }
    for (let i = 1; i < parts.length; i++) {
      const here = parts.slice(i).join("/").toLowerCase();
      const name = names.find((candidate) => here === candidate || here.startsWith(`${candidate}/`));
      if (name) {
        paths.add(join(root, ...parts.slice(0, i), ...name.split("/")));
        break;
      }
    }
  }
  return [...paths].filter((path) => path.split("/").length - root.split("/").length <= 4);
}

/**
 * A git worktree or submodule whose git folder lives outside the workspace: what a commit writes
 * there (objects, refs, logs, index, HEAD) is writable; its hooks and config are not. Read once,
 * at the start of the session, from the person's checkout.
 */
function linkedGitFolder(root: string): { writable: string[]; protected: string[] } | undefined {
  const dotGit = join(root, ".git");
  if (entryKind(dotGit) !== "file") return undefined;
  let gitdir: string;
  try {
    const pointer = readFileSync(dotGit, "utf8").match(/^gitdir:\s*(.+)$/m)?.[1]?.trim();
    if (!pointer) return undefined;
    gitdir = realpathSync(resolve(root, pointer));
  } catch {
    return undefined;
  }
  if (inside(root, gitdir)) return undefined;
  let common = gitdir;
  try {
    common = realpathSync(resolve(gitdir, readFileSync(join(gitdir, "commondir"), "utf8").trim()));
  } catch {
    // Not a linked worktree: the git folder is the common one.
  }
  const writable = [gitdir, ...["objects", "refs", "logs", "packed-refs"].map((name) => join(common, name)).filter(existsSync)];
  // Not the common folder's `worktrees`: this worktree's own git folder lies inside it, and a deny above an allow wins.
  const guarded = new Set([...["hooks", "config", "info"].map((name) => join(common, name)), ...["hooks", "config", "commondir", "gitdir"].map((name) => join(gitdir, name))]);
  return { writable, protected: [...guarded].filter(exists) };
}

function entryKind(path: string): "dir" | "file" | undefined {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}


function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** A user without a home folder (no passwd entry) has no credential stores to hide. */
function safeHome(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

