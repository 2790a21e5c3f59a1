import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";

/** Thrown for any path that would leave the workspace; the message is written for the model. */
export class OutsideWorkspaceError extends Error {}

const MAX_LINK_HOPS = 40;

/**
 * Resolve `path` (relative to `root`, or absolute) to a real absolute path inside `root`.
 *
 * Contract: every symlink on the way is followed, including a dangling one at the end, so a read
 * or write through the returned path can only touch files under the real workspace root. The
 * returned path is the one to use for I/O. Throws OutsideWorkspaceError naming the root otherwise.
 * `root` must already be a real path (see config.ts).
 *
 * The one exception: read_file may also read the folder where long tool outputs are saved
 * whole (spill.ts `spillRootFor`); it guards such a path against that folder instead. Nothing
 * can write there.
 */
export function resolveInWorkspace(root: string, path: string): string {
  const requested = isAbsolute(path) ? resolve(path) : resolve(root, path);
  const real = resolveSymlinks(requested, 0);
  if (!isInside(root, real)) {
    throw new OutsideWorkspaceError(`Path ${path} resolves outside the workspace ${root}; only paths inside it can be used.`);
  }
  return real;
}

export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Show a workspace path the way the person and the model know it: relative to the root. */
export function displayPath(root: string, absolute: string): string {
  if (absolute === root) return ".";
  return isInside(root, absolute) ? absolute.slice(root.length + (root.endsWith(sep) ? 0 : 1)) : absolute;
}

function resolveSymlinks(absolute: string, hops: number): string {
  if (hops > MAX_LINK_HOPS) throw new OutsideWorkspaceError(`Too many symbolic links while resolving ${absolute}.`);
  let existing = absolute;
  const missing: string[] = [];
  while (!exists(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    missing.unshift(basename(existing));
    existing = parent;
  }
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    // A dangling symlink: follow its target by hand, since realpath cannot.
    const target = readlinkSync(existing);
    const next = resolve(realpathSync(dirname(existing)), target);
    return resolveSymlinks(join(next, ...missing), hops + 1);
  }
  return missing.length ? join(real, ...missing) : real;
}

/** True when something is at `path`, a dangling symlink included (lstat, not stat). */
export function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** True when `path` is a regular file (following symlinks); false for anything else or nothing. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The names in folder `path`; none when it is missing or unreadable. */
export function namesIn(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
