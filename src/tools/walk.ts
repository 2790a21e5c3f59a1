/**
 * The files under a folder, walked the way ripgrep walks them (see search.ts), for the search
 * worker and rewind's snapshots: depth first, names in byte order; the .gitignore, .ignore and
 * .rgignore files of each folder applied, and those of the folders above up to the repository's
 * top (the first holding .git); hidden files included; .git and node_modules skipped; symbolic
 * links not followed, so nothing outside the workspace is reached and no cycle is possible.
 */
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Ignore } from "ignore";
import { displayPath } from "../workspace.js";
import { ignoreHint } from "./ignore-hint.js";

/** Upper bound on the files one walkFiles yields, so a huge tree cannot stall a snapshot. */
export const MAX_WALK_FILES = 100_000;

export interface WalkEntry {
  /** Workspace-relative, "/"-separated: what the model sees and passes back to other tools. */
  path: string;
  /** Relative to the walk's start folder (for a file start: its name); what globs match. */
  relative: string;
  absolute: string;
}

/** Said before .gitignore speaks: true keeps a file or enters a folder, false drops either, undefined leaves it to the rules. */
export type Verdict = (relative: string, isDirectory: boolean) => boolean | undefined;

const ALWAYS_SKIPPED = new Set([".git", "node_modules"]);
/** ripgrep's ignore files, lowest precedence first: in one `ignore` set, later rules win. */
const RULE_FILES = [".gitignore", ".ignore", ".rgignore"];

/** The rules of one folder's ignore files, which apply to paths below it. */
interface Rules {
  /** The folder's real path, ending in "/". */
  base: string;
  ignore: Ignore;
  /** Paths this does not match need no question to `ignore` (see ignore-hint.ts); absent: ask about all. */
  hint?: RegExp;
}

/**
 * Yield the regular files under `start` (a real path inside `root`), or `start` itself when it is
 * a file, even an ignored one: an explicit request wins, as in ripgrep.
 */
export function* walkSync(root: string, start: string, makeIgnore: () => Ignore, verdict?: Verdict): Generator<WalkEntry> {
  const info = statSync(start, { throwIfNoEntry: false });
  const startPath = displayPath(root, start);
  if (info?.isFile()) yield { path: startPath, relative: basename(start), absolute: start };
  if (!info?.isDirectory()) return;

  const rulesText = (directory: string, names?: Set<string>) =>
    RULE_FILES.filter((name) => !names || names.has(name)).map((name) => readText(join(directory, name))).join("\n");
  const rules = (directory: string, text: string): Rules | undefined =>
    text.trim() ? { base: directory.endsWith("/") ? directory : `${directory}/`, ignore: makeIgnore().add(text), hint: ignoreHint(text) } : undefined;
  // As ripgrep: the folders above apply up to the repository's top, except a rule that ignores
  // the start itself, which was asked for by name.
  const ancestors: Rules[] = [];
  for (let dir = start; !existsSync(join(dir, ".git")) && dir !== dirname(dir); ) {
    dir = dirname(dir);
    const below = `${start.slice(dir.length + (dir.endsWith("/") ? 0 : 1))}/`;
    const kept = rulesText(dir).split("\n").filter((line) => line.trim() === "" || !makeIgnore().add(line).ignores(below));
    const found = rules(dir, kept.join("\n"));
    if (found) ancestors.unshift(found);
  }

  function* visit(directory: string, pathPrefix: string, relativePrefix: string, inherited: Rules[]): Generator<WalkEntry> {
    const entries = list(directory);
    const own = entries.some((entry) => RULE_FILES.includes(entry.name)) && rules(directory, rulesText(directory, new Set(entries.map((entry) => entry.name))));
    const active = own ? [...inherited, own] : inherited;
    for (const entry of entries) {
      const isDirectory = entry.isDirectory();
      if (ALWAYS_SKIPPED.has(entry.name) || (!isDirectory && !entry.isFile())) continue;
      const path = pathPrefix + entry.name;
      const relative = relativePrefix + entry.name;
      const absolute = `${directory}/${entry.name}`;
      const say = verdict?.(relative, isDirectory);
      if (say === false || (say === undefined && active.length > 0 && isIgnored(active, absolute, isDirectory))) continue;
      if (isDirectory) yield* visit(absolute, `${path}/`, `${relative}/`, active);
      else yield { path, relative, absolute };
    }
  }
  yield* visit(start, startPath === "." ? "" : `${startPath}/`, "", ancestors);
}

/**
 * walkSync for the main thread (rewind's snapshots): the event loop gets a turn now and then, and
 * the walk stops after `limit` files. Contract: throws if `signal` aborts.
 */
export async function* walkFiles({ root, signal }: { root: string; signal: AbortSignal }, start: string, limit = MAX_WALK_FILES): AsyncGenerator<WalkEntry> {
  // Loaded on first use: start-up should not pay for what only a walk needs.
  const { default: ignore } = await import("ignore");
  let count = 0;
  for (const entry of walkSync(root, start, ignore)) {
    yield entry;
    if (++count >= limit) return;
    if (count % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    signal.throwIfAborted();
  }
}

/**
 * Git's precedence: the deepest rules file that has an opinion decides, and within one file the
 * last matching rule (which the `ignore` package implements, parents included).
 */
function isIgnored(rules: Rules[], absolute: string, isDirectory: boolean): boolean {
  for (let i = rules.length - 1; i >= 0; i--) {
    const { base, ignore, hint } = rules[i];
    const below = absolute.slice(base.length);
    if (hint && !hint.test(below)) continue;
    const verdict = ignore.test(isDirectory ? `${below}/` : below);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

/** A folder's entries in name order; an unreadable folder (permissions, removed meanwhile) is empty. */
function list(directory: string): Dirent[] {
  try {
    return readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
