import type { Dirent } from "node:fs";
import { readdirSync, realpathSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, sep } from "node:path";
import type { Ignore } from "ignore";
import { displayPath, isInside } from "../workspace.js";
import { ignoreHint } from "./ignore-hint.js";
import { TimeSlice } from "./time-slice.js";

/** Upper bound on files one walk yields, so a huge tree cannot stall a tool call. */
export const MAX_WALK_FILES = 100_000;

/** Skipped whatever .gitignore says: never what the model is looking for, and often enormous. */
const ALWAYS_SKIPPED = new Set([".git", "node_modules"]);

export interface WalkEntry {
  /** Workspace-relative, "/"-separated: what the model sees and passes back to other tools. */
  path: string;
  /** Relative to the walk's start directory (for a file start: its name); what globs match against. */
  relative: string;
  /** Real path for I/O. */
  absolute: string;
}

/** The rules of one .gitignore, which apply to paths below the directory holding it. */
interface Rules {
  base: string;
  ignore: Ignore;
  /** Paths this does not match need no question to `ignore` (see ignore-hint.ts); absent: ask about all. */
  hint?: RegExp;
}

/**
 * Yield the regular files under `start` in a deterministic order (depth first, names sorted by
 * code point), skipping .git, node_modules and whatever the .gitignore files of the workspace
 * (root, nested, and those between the root and `start`) exclude.
 *
 * Contract: `start` is a real path inside `root`, as resolveInWorkspace returns it. Symlinked
 * files are yielded only when their real path is inside `root`; symlinked directories are never
 * entered (as git and ripgrep do), which also rules out cycles and duplicates. A file `start` is
 * yielded even if ignored, and so is an ignored directory's content when `start` names it:
 * an explicit request wins, as in ripgrep. Stops after `limit` files; throws if `signal` aborts.
 */
export async function* walkFiles(ctx: { root: string; signal: AbortSignal }, start: string, limit = MAX_WALK_FILES): AsyncGenerator<WalkEntry> {
  for await (const batch of walkBatches(ctx, start, limit)) yield* batch;
}

/**
 * walkFiles' files in the same order, several at a time: grep and list_files hand them on in
 * batches, and a promise hop per file cost more than the rest of the walk.
 */
export async function* walkBatches(
  { root, signal }: { root: string; signal: AbortSignal },
  start: string,
  limit = MAX_WALK_FILES,
): AsyncGenerator<WalkEntry[]> {
  const info = await stat(start);
  if (info.isFile()) {
    yield [{ path: toPosix(displayPath(root, start)), relative: basename(start), absolute: start }];
    return;
  }
  if (!info.isDirectory()) return;
  const rules = await ancestorRules(root, start);
  const startPath = toPosix(displayPath(root, start));
  const stack: (PendingDirectory | WalkEntry[])[] = [
    { absolute: start, pathPrefix: startPath === "." ? "" : `${startPath}/`, relativePrefix: "", rules },
  ];
  let remaining = limit;
  let batch: WalkEntry[] = [];
  const slice = new TimeSlice();
  signal.throwIfAborted();
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (Array.isArray(next)) {
      const room = Math.min(next.length, remaining);
      for (let i = 0; i < room; i++) batch.push(next[i]);
      remaining -= room;
      if (remaining <= 0) break;
    } else {
      // Pushed in reverse so that they pop in name order; consecutive files travel as one item.
      const items = await readDirectory(root, next);
      for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]);
    }
    if (batch.length >= BATCH_FILES) {
      yield batch;
      batch = [];
    }
    // The walk is synchronous (readdirSync costs half of a promise per directory), so it pauses.
    if (slice.due) await slice.pause();
    signal.throwIfAborted();
  }
  if (batch.length > 0) yield batch;
}

const BATCH_FILES = 256;

/** A directory still to walk. */
interface PendingDirectory {
  absolute: string;
  /** Workspace-relative and relative to the walk's start, each "" or ending in "/". */
  pathPrefix: string;
  relativePrefix: string;
  rules: Rules[];
}

/** One directory's files and subdirectories, in name order, with its .gitignore applied. */
async function readDirectory(root: string, directory: PendingDirectory): Promise<(PendingDirectory | WalkEntry[])[]> {
  const entries = list(directory.absolute);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const own = entries.some((entry) => entry.name === ".gitignore" && entry.isFile()) ? await loadRules(root, directory.absolute) : undefined;
  const rules = own ? [...directory.rules, own] : directory.rules;
  const items: (PendingDirectory | WalkEntry[])[] = [];
  let files: WalkEntry[] = [];
  for (const entry of entries) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    // Plain concatenation: path.join and path.relative cost more than the rest of the walk.
    const absolute = directory.absolute + sep + entry.name;
    // Only a symbolic link needs a system call to classify.
    const kind = entry.isDirectory() ? "directory" : entry.isFile() ? "file" : kindOf(root, entry, absolute);
    if (!kind) continue;
    const path = directory.pathPrefix + entry.name;
    if (rules.length > 0 && isIgnored(rules, path, kind === "directory")) continue;
    const relativePath = directory.relativePrefix + entry.name;
    if (kind === "file") {
      files.push({ path, relative: relativePath, absolute });
      continue;
    }
    if (files.length > 0) items.push(files);
    files = [];
    items.push({ absolute, pathPrefix: `${path}/`, relativePrefix: `${relativePath}/`, rules });
  }
  if (files.length > 0) items.push(files);
  return items;
}

/** An unreadable directory (permissions, removed meanwhile) is skipped rather than failing the walk. */
function list(directory: string): Dirent[] {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** "file", "directory", or undefined for what the walk must not touch (sockets, FIFOs, links out). */
function kindOf(root: string, entry: Dirent, absolute: string): "file" | "directory" | undefined {
  if (entry.isDirectory()) return "directory";
  if (entry.isFile()) return "file";
  if (!entry.isSymbolicLink()) return undefined;
  let target: string;
  try {
    target = realpathSync(absolute);
  } catch {
    return undefined;
  }
  if (!isInside(root, target)) return undefined;
  // Reading a FIFO would block forever, and following directory links risks cycles.
  return statSync(target, { throwIfNoEntry: false })?.isFile() ? "file" : undefined;
}

/**
 * Git's precedence: the deepest .gitignore that has an opinion decides, and within one file the
 * last matching rule (which the `ignore` package implements, parents included).
 */
function isIgnored(rules: Rules[], path: string, isDirectory: boolean): boolean {
  for (let i = rules.length - 1; i >= 0; i--) {
    const { base, ignore, hint } = rules[i];
    const below = base === "" ? path : path.slice(base.length + 1);
    if (hint && !hint.test(below)) continue;
    const verdict = ignore.test(isDirectory ? `${below}/` : below);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/**
 * The .gitignore files from the root down to (not including) `start`. A file that excludes
 * `start` itself is dropped, since the caller asked for that directory by name.
 */
async function ancestorRules(root: string, start: string): Promise<Rules[]> {
  const directories: string[] = [];
  for (let dir = start; dir !== root && isInside(root, dir); ) {
    dir = dirname(dir);
    directories.unshift(dir);
  }
  const rules: Rules[] = [];
  const startPath = toPosix(displayPath(root, start));
  for (const dir of directories) {
    const loaded = await loadRules(root, dir);
    if (loaded && !isIgnored([loaded], startPath, true)) rules.push(loaded);
  }
  return rules;
}

async function loadRules(root: string, directory: string): Promise<Rules | undefined> {
  const text = await readFile(join(directory, ".gitignore"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const base = directory === root ? "" : toPosix(displayPath(root, directory));
  // Loaded on first use: start-up should not pay for what only list_files and grep need.
  const { default: ignore } = await import("ignore");
  return { base, ignore: ignore().add(text), hint: ignoreHint(text) };
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
