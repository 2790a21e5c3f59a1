/**
 * The files under a folder, walked the way ripgrep walks them (see search.ts), for the search
 * worker and rewind's snapshots: depth first, names in byte order; the .gitignore, .ignore and
 * .rgignore files of each folder and of the folders from the workspace root down to the start
 * applied; hidden files included; .git and node_modules skipped; symbolic links not followed, so
 * nothing outside the workspace is reached and no cycle is possible.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Ignore } from "ignore";
import { displayPath, isInside } from "../workspace.js";

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
  base: string;
  ignore: Ignore;
}

/**
 * Yield the regular files under `start` (a real path inside `root`), or `start` itself when it is
 * a file, even an ignored one: an explicit request wins, as in ripgrep. So does a folder named as
 * `start`: an ancestor's rules file that ignores it is not applied below it.
 */
export function* walkSync(root: string, start: string, makeIgnore: () => Ignore, verdict?: Verdict): Generator<WalkEntry> {
  const info = statSync(start, { throwIfNoEntry: false });
  const startPath = displayPath(root, start);
  if (info?.isFile()) yield { path: startPath, relative: basename(start), absolute: start };
  if (!info?.isDirectory()) return;

  const load = (directory: string, names?: Set<string>): Rules | undefined => {
    const texts = RULE_FILES.filter((name) => !names || names.has(name)).map((name) => readText(join(directory, name)));
    if (!texts.some(Boolean)) return undefined;
    return { base: directory === root ? "" : displayPath(root, directory), ignore: makeIgnore().add(texts.join("\n")) };
  };
  const ancestors: Rules[] = [];
  for (let dir = start; dir !== root && isInside(root, dir); ) {
    dir = dirname(dir);
    const rules = load(dir);
    if (rules && !isIgnored([rules], startPath, true)) ancestors.unshift(rules);
  }

  function* visit(directory: string, pathPrefix: string, relativePrefix: string, inherited: Rules[]): Generator<WalkEntry> {
    const entries = list(directory);
    const own = entries.some((entry) => RULE_FILES.includes(entry.name)) ? load(directory, new Set(entries.map((entry) => entry.name))) : undefined;
    const rules = own ? [...inherited, own] : inherited;
    for (const entry of entries) {
      const isDirectory = entry.isDirectory();
      if (ALWAYS_SKIPPED.has(entry.name) || (!isDirectory && !entry.isFile())) continue;
      const path = pathPrefix + entry.name;
      const relative = relativePrefix + entry.name;
      const say = verdict?.(relative, isDirectory);
      if (say === false || (say === undefined && rules.length > 0 && isIgnored(rules, path, isDirectory))) continue;
      if (isDirectory) yield* visit(`${directory}/${entry.name}`, `${path}/`, `${relative}/`, rules);
      else yield { path, relative, absolute: `${directory}/${entry.name}` };
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
function isIgnored(rules: Rules[], path: string, isDirectory: boolean): boolean {
  for (let i = rules.length - 1; i >= 0; i--) {
    const { base, ignore } = rules[i];
    const below = base === "" ? path : path.slice(base.length + 1);
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
