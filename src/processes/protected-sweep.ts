/**
 * Closing what the sandbox does not mount: a protected path that did not exist when a command
 * started has no read-only mount (that would plant an empty placeholder in the person's project),
 * so if the command creates it, it is removed when the command ends. mini-claude itself never
 * trusts such a file meanwhile: hooks, MCP servers and settings are read at start, and a
 * project's are trusted only by the person's answer.
 */
import { lstatSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { exists } from "../workspace.js";
import { namesIn } from "../workspace.js";

/** Paths a person approved writing through the file tools this session: never swept. */
const approvedWrites = new Set<string>();

/** The file tools call this after the person approved writing `absolute`. */
export function approveProtectedCreation(absolute: string): void {
  approvedWrites.add(absolute);
}

/**
 * Remove each of `watched` that exists now (they were all absent when the command started) and
 * was not approved meanwhile. Returns the removed paths, relative to `root`.
 */
export function sweepCreated(root: string, watched: string[]): string[] {
  const removed: string[] = [];
  for (const path of watched) {
    if (approvedWrites.has(path) || !exists(path)) continue;
    // A repository the command created (git init, git clone .) stays; what in it would run outside the sandbox goes.
    if (basename(path) === ".git" && isDirectory(path)) {
      removed.push(...defuseNewRepository(path).map((inner) => relative(root, inner)));
      continue;
    }
    try {
      rmSync(path, { recursive: true, force: true });
      removed.push(relative(root, path));
    } catch {
      // Could not be removed (a permission the command set?): it is said below as kept.
      removed.push(`${relative(root, path)} (could not be removed: remove it by hand)`);
    }
  }
  return removed;
}


/** Config keys that make git run a program (or trust a path) of the config's choosing. */
const RUNS_PROGRAMS = /^\s*(fsmonitor|hookspath|sshcommand|pager|editor|askpass|textconv|command|program|helper|cmd|worktree|gitproxy|sequenceeditor|useBuiltinFSMonitor)\s*=|^\s*\[(alias|filter|diff|merge|credential|include|includeif)\b/im;

/**
 * A `.git` a command created: its hooks (other than git's own samples), `commondir` and
 * `worktrees` are removed, and a config that names programs is replaced by git's defaults, so the
 * person's next git command outside the sandbox runs nothing the command chose.
 */
function defuseNewRepository(dotGit: string): string[] {
  const removed: string[] = [];
  const hooks = join(dotGit, "hooks");
  for (const name of namesIn(hooks)) {
    if (name.endsWith(".sample")) continue;
    rmSync(join(hooks, name), { recursive: true, force: true });
    removed.push(join(hooks, name));
  }
  for (const name of ["commondir", "worktrees"]) {
    if (!exists(join(dotGit, name))) continue;
    rmSync(join(dotGit, name), { recursive: true, force: true });
    removed.push(join(dotGit, name));
  }
  const config = join(dotGit, "config");
  try {
    if (RUNS_PROGRAMS.test(readFileSync(config, "utf8"))) {
      writeFileSync(config, "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n");
      removed.push(config);
    }
  } catch {
    // No config: git uses its defaults.
  }
  return removed;
}


function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
