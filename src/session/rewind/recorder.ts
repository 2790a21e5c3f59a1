/**
 * The rewind log: what each step of each turn changed in the workspace. Around every call of a tool
 * that changes files (file tools, exec), the workspace is snapshotted before and after
 * (snapshot.ts); the difference is the step's change, appended to a per-workspace JSONL log in the
 * data folder. Changes made between steps (the person's editor, a watcher) are never attributed to
 * the agent: the "before" snapshot of the next step absorbs them.
 *
 * Storage is bounded: at the first snapshot of a run, when the blobs are over the cap, those no
 * logged change needs are removed, then the oldest runs are dropped until the rest fits.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { appendNoFollowSync, replaceFileSync } from "../../safe-write.js";
import { BlobStore, changesBetween, takeSnapshot, type FileChange, type Snapshot } from "./snapshot.js";
import { namesIn } from "../../workspace.js";

export interface TurnRecord {
  type: "turn";
  run: string;
  session?: string;
  turn: number;
  at: number;
  /** The person's message as sent (what rewind finds in the history). */
  prompt: string;
  /** What the person typed, where it differs from `prompt` (a `!cmd` before it): lists show it. */
  typed?: string;
  /** Index of the turn's user message in the conversation (system message at 0). */
  historyIndex: number;
}

export interface ChangeRecord {
  type: "change";
  run: string;
  turn: number;
  tool: string;
  changes: FileChange[];
}

/** A rewind to before the turn logged at `from`: that turn and later ones are gone from the list. */
export interface RewindMarker {
  type: "rewind";
  run: string;
  from: number;
}

export type RewindRecord = TurnRecord | ChangeRecord | RewindMarker;

export interface RecorderOptions {
  /** Real path of the workspace. */
  root: string;
  dataDir: string;
  /** Bytes of blobs kept at most (old runs are pruned past it). */
  maxBytes: number;
  /** The current session's id, so /rewind lists only this session's turns. */
  session?: () => string | undefined;
}

/** Where a workspace's log and blobs live (per workspace, so pruning one never touches another's). */
export function rewindPaths(dataDir: string, root: string): { dir: string; log: string; blobs: string } {
  const dir = join(dataDir, "rewind", createHash("sha256").update(root).digest("hex").slice(0, 16));
  return { dir, log: join(dir, "log.jsonl"), blobs: join(dir, "blobs") };
}

/** Every record of a log; unreadable lines are skipped. */
export function readLog(path: string): RewindRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const records: RewindRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      // A torn last line from a crash: the rest still counts.
    }
  }
  return records;
}

export class RewindRecorder {
  readonly run = `${Date.now().toString(36)}-${process.pid}`;
  readonly store: BlobStore;
  readonly logPath: string;
  private turn = 0;
  private last?: Snapshot;
  private pruned = false;

  constructor(readonly options: RecorderOptions) {
    const paths = rewindPaths(options.dataDir, options.root);
    this.store = new BlobStore(paths.blobs);
    this.logPath = paths.log;
  }

  /** A new turn starts: the person's message and where it sits in the history. */
  beginTurn(prompt: string, historyIndex: number, typed = prompt): void {
    this.turn += 1;
    this.append({ type: "turn", run: this.run, session: this.options.session?.(), turn: this.turn, at: Date.now(), prompt, historyIndex, ...(typed === prompt ? {} : { typed }) });
  }

  /**
   * Run `step` (one tool call that may change files) between two snapshots, log what it changed and
   * tell `changed` the paths.
   * Contract: the step's result or error passes through untouched; recording problems never fail it.
   */
  async around<T>(tool: string, step: () => Promise<T>, changed?: (paths: string[]) => void): Promise<T> {
    const before = await this.snapshot();
    try {
      return await step();
    } finally {
      if (before) {
        const after = await this.snapshot();
        if (after) {
          const changes = changesBetween(before, after);
          if (changes.length) {
            this.append({ type: "change", run: this.run, turn: this.turn, tool, changes });
            changed?.(changes.map((change) => change.path));
          }
        }
      }
    }
  }

  /**
   * A rewind happened: log it (so its turns leave the list) and the files it restored as a change
   * of no turn (so a later rewind knows what the disk holds), then re-snapshot from the disk.
   */
  async recordRewind(from: number, restored: FileChange[]): Promise<void> {
    this.append({ type: "rewind", run: this.run, from });
    if (restored.length) this.append({ type: "change", run: this.run, turn: 0, tool: "rewind", changes: restored });
    await this.snapshot();
  }

  records(): RewindRecord[] {
    return readLog(this.logPath);
  }

  private async snapshot(): Promise<Snapshot | undefined> {
    try {
      if (!this.pruned) {
        this.pruned = true;
        pruneStorage(this.logPath, this.store.dir, this.options.maxBytes);
      }
      this.last = await takeSnapshot(this.options.root, this.store, this.last);
      return this.last;
    } catch {
      return undefined;
    }
  }

  private append(record: RewindRecord): void {
    try {
      mkdirSync(dirname(this.logPath), { recursive: true, mode: 0o700 });
      appendNoFollowSync(this.logPath, `${JSON.stringify(record)}\n`, 0o600);
    } catch {
      // Without a writable data folder there is no rewind; the agent still works.
    }
  }
}

/**
 * Keep the blob folder under `maxBytes`: when over it, remove blobs no logged change refers to (the
 * baselines of past runs), then drop the oldest runs of this workspace's log until the rest fits.
 * Contract: called before this run stores anything, so no blob of the running session is lost.
 */
export function pruneStorage(logPath: string, blobDir: string, maxBytes: number): void {
  let records = readLog(logPath);
  const blobs = listBlobs(blobDir);
  // Under the cap nothing goes: the last runs' blobs then spare the next run's first snapshot the writes.
  const total = [...blobs.values()].reduce((sum, size) => sum + size, 0);
  if (total <= maxBytes) return;
  const sizeOf = (keep: Set<string>) => [...blobs].reduce((sum, [hash, size]) => sum + (keep.has(hash) ? size : 0), 0);
  let keep = referenced(records);
  const runs = [...new Set(records.map((r) => r.run))];
  while (runs.length > 0 && sizeOf(keep) > maxBytes) {
    const oldest = runs.shift();
    records = records.filter((r) => r.run !== oldest);
    keep = referenced(records);
  }
  mkdirSync(dirname(logPath), { recursive: true, mode: 0o700 });
  replaceFileSync(logPath, records.map((r) => `${JSON.stringify(r)}\n`).join(""), 0o600);
  for (const [hash] of blobs) if (!keep.has(hash)) rmSync(join(blobDir, hash.slice(0, 2), hash), { force: true });
}

function referenced(records: RewindRecord[]): Set<string> {
  const hashes = new Set<string>();
  for (const record of records) {
    if (record.type !== "change") continue;
    for (const change of record.changes) {
      if (change.before) hashes.add(change.before);
      if (change.after) hashes.add(change.after);
    }
  }
  return hashes;
}

function listBlobs(dir: string): Map<string, number> {
  const blobs = new Map<string, number>();
  let prefixes: string[];
  try {
    prefixes = readdirSync(dir);
  } catch {
    return blobs;
  }
  for (const prefix of prefixes) {
    for (const name of namesIn(join(dir, prefix))) {
      if (name.endsWith(".tmp")) continue;
      try {
        blobs.set(name, statSync(join(dir, prefix, name)).size);
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return blobs;
}

