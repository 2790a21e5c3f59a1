/**
 * Rewind's plan and its application: which files go back to which content, which were changed
 * outside mini-claude since (left alone unless the person says otherwise), and the writes.
 *
 * Never clobbers: a file whose content on disk is not what the agent's last change left is a
 * conflict. Never leaves the workspace: a path whose folder resolves outside it is refused, and a
 * symlink at the path is replaced, never written through; contents are written to a new file
 * under a name no command can guess and renamed into place (safe-write.ts), so neither a symlink
 * planted at the path nor one at a temp name can send the write elsewhere, and a hard link
 * elsewhere keeps its content.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readFileSync, realpathSync, unlinkSync } from "node:fs";
import { defaultFileMode, replaceFileSync } from "../../safe-write.js";
import { exists } from "../../workspace.js";
import { dirname, isAbsolute, join, relative } from "node:path";
import type { RewindRecord, TurnRecord } from "./recorder.js";
import type { BlobStore } from "./snapshot.js";

export interface TurnSummary extends TurnRecord {
  /** Position of the turn's record in the log. */
  index: number;
  created: string[];
  modified: string[];
  deleted: string[];
}

export interface FileRestore {
  path: string;
  /** Content hash to put back; undefined: the file did not exist, so it is removed. */
  target?: string;
  /** What the agent's last change left; undefined: it left no file. */
  expected?: string;
  /** What is on disk now (undefined: nothing). */
  current?: string;
}

export interface RestorePlan {
  /** Files to put back: on disk they are exactly as the agent left them. */
  files: FileRestore[];
  /** Changed outside mini-claude since the agent's last change: left alone unless confirmed. */
  conflicts: FileRestore[];
  /** Files whose earlier content was pruned from storage: cannot be restored. */
  missing: string[];
}

/** The turns of the log, oldest first, with the files each changed; `keep` filters them (by session). */
export function listTurns(records: RewindRecord[], keep: (turn: TurnRecord) => boolean = () => true): TurnSummary[] {
  const turns: TurnSummary[] = [];
  const byKey = new Map<string, TurnSummary>();
  records.forEach((record, index) => {
    if (record.type === "rewind") {
      for (const turn of turns.filter((t) => t.index >= record.from)) {
        turns.splice(turns.indexOf(turn), 1);
        byKey.delete(`${turn.run}:${turn.turn}`);
      }
      return;
    }
    if (record.type === "turn") {
      if (!keep(record)) return;
      const summary: TurnSummary = { ...record, index, created: [], modified: [], deleted: [] };
      turns.push(summary);
      byKey.set(`${record.run}:${record.turn}`, summary);
      return;
    }
    const turn = byKey.get(`${record.run}:${record.turn}`);
    if (!turn) return;
    for (const change of record.changes) {
      const list = !change.before ? turn.created : !change.after ? turn.deleted : turn.modified;
      if (!list.includes(change.path)) list.push(change.path);
    }
  });
  return turns;
}

/**
 * Each file the given runs changed (file tools and commands alike, from the log), with its content
 * hash before their first change (undefined: it did not exist), in the order first changed: /diff
 * compares it with the disk now.
 */
export function firstContents(records: RewindRecord[], runs: Set<string>): Map<string, string | undefined> {
  const first = new Map<string, string | undefined>();
  for (const record of records) {
    if (record.type !== "change" || !runs.has(record.run)) continue;
    for (const change of record.changes) if (!first.has(change.path)) first.set(change.path, change.before);
  }
  return first;
}

/**
 * What restoring the workspace to before `from` takes: every change logged after that turn's
 * record by the runs in `runs`, undone, compared with the disk now.
 */
export function planRestore(records: RewindRecord[], from: TurnSummary, runs: Set<string>, root: string, store: BlobStore): RestorePlan {
  const files = new Map<string, FileRestore>();
  for (const record of records.slice(from.index)) {
    if (record.type !== "change" || !runs.has(record.run)) continue;
    for (const change of record.changes) {
      const known = files.get(change.path);
      if (known) known.expected = change.after;
      else files.set(change.path, { path: change.path, target: change.before, expected: change.after });
    }
  }
  const plan: RestorePlan = { files: [], conflicts: [], missing: [] };
  for (const file of files.values()) {
    file.current = currentHash(join(root, file.path));
    if (file.current === file.target) continue;
    if (file.target && !store.has(file.target)) plan.missing.push(file.path);
    else if (file.current !== file.expected) plan.conflicts.push(file);
    else plan.files.push(file);
  }
  return plan;
}

/**
 * Put `files` back. Returns the paths it could not restore, each with the reason.
 * Contract: every path stays inside `root` (a real path); symlinks are replaced, never followed.
 */
export function applyRestore(files: FileRestore[], root: string, store: BlobStore): string[] {
  const failed: string[] = [];
  for (const file of files) {
    const absolute = join(root, file.path);
    try {
      if (!folderInside(root, dirname(absolute))) throw new Error("its folder is outside the workspace");
      if (!file.target) {
        if (exists(absolute)) unlinkSync(absolute);
        continue;
      }
      mkdirSync(dirname(absolute), { recursive: true });
      if (!folderInside(root, dirname(absolute))) throw new Error("its folder is outside the workspace");
      replaceFileSync(absolute, store.get(file.target), modeToKeep(absolute));
    } catch (error) {
      failed.push(`${file.path}: ${(error as Error).message}`);
    }
  }
  return failed;
}

/** Text of a content hash for the diff shown before restoring ("" for no file). */
export function contentOf(store: BlobStore, root: string, path: string, hash: string | undefined, fromDisk: boolean): string {
  try {
    if (fromDisk) return readFileSync(join(root, path), "utf8");
    return hash ? store.get(hash).toString("utf8") : "";
  } catch {
    return "";
  }
}

function currentHash(path: string): string | undefined {
  try {
    const info = lstatSync(path);
    // A symlink or folder where a file was: the content is not what the agent left.
    if (!info.isFile()) return `not-a-file:${info.mode}`;
    return createHash("sha256").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined;
  }
}

/** A regular file keeps its mode when its content goes back; anything else (a symlink, nothing) gets a new file's. */
function modeToKeep(path: string): number {
  try {
    const info = lstatSync(path);
    if (info.isFile()) return info.mode;
  } catch {
    // Nothing there.
  }
  return defaultFileMode();
}

/** The nearest existing folder of `dir` resolves inside `root`. */
function folderInside(root: string, dir: string): boolean {
  let probe = dir;
  for (;;) {
    try {
      const real = realpathSync(probe);
      const rel = relative(root, real);
      return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
    } catch {
      const parent = dirname(probe);
      if (parent === probe) return false;
      probe = parent;
    }
  }
}
