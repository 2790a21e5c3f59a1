/**
 * Snapshots of the workspace's files for rewind: path → size, mtime, inode and content hash, the
 * content kept once per hash in a blob folder of the data directory. A new snapshot re-reads only
 * the files whose size, mtime or inode changed since the previous one, so a snapshot around every
 * command costs a walk of stats, not a read of the project.
 *
 * Skips what the walker skips (.git, node_modules, .gitignored files, symlinks out of the
 * workspace) and files over the size cap; works without git.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { replaceFileSync } from "../../safe-write.js";
import { walkFiles } from "../../tools/walk.js";

/** Files larger than this are not recorded (build outputs, data sets): rewind leaves them alone. */
export const MAX_SNAPSHOT_FILE_BYTES = 1024 * 1024;

export interface FileState {
  size: number;
  mtimeMs: number;
  ino: number;
  /** sha256 of the content, hex; the blob's name. */
  hash: string;
}

/** Workspace-relative path ("/"-separated) → its state. */
export type Snapshot = Map<string, FileState>;

/** One file's change between two snapshots; undefined hash: the file did not exist. */
export interface FileChange {
  path: string;
  before?: string;
  after?: string;
}

/** The content-addressed store: one file per distinct content, named by its hash. */
export class BlobStore {
  constructor(readonly dir: string) {}

  /** Store `content` under its hash (once) and return the hash. */
  put(content: Buffer): string {
    const hash = createHash("sha256").update(content).digest("hex");
    const path = this.path(hash);
    if (!existsSync(path)) {
      mkdirSync(join(this.dir, hash.slice(0, 2)), { recursive: true, mode: 0o700 });
      // Written whole under a temporary name, so a crash never leaves a blob that lies about its hash.
      replaceFileSync(path, content, 0o600);
    }
    return hash;
  }

  get(hash: string): Buffer {
    return readFileSync(this.path(hash));
  }

  has(hash: string): boolean {
    return existsSync(this.path(hash));
  }

  path(hash: string): string {
    return join(this.dir, hash.slice(0, 2), hash);
  }
}

/**
 * Snapshot the workspace at `root` (a real path), storing the content of new or changed files.
 * `previous` lets unchanged files (same size, mtime and inode) keep their hash without a read.
 */
export async function takeSnapshot(root: string, store: BlobStore, previous?: Snapshot): Promise<Snapshot> {
  const snapshot: Snapshot = new Map();
  const signal = new AbortController().signal;
  for await (const entry of walkFiles({ root, signal }, root)) {
    let info;
    try {
      // lstat: a symlink is recorded by what it is, never followed out of the workspace.
      info = lstatSync(entry.absolute);
    } catch {
      continue; // Deleted while we walked.
    }
    if (!info.isFile() || info.size > MAX_SNAPSHOT_FILE_BYTES) continue;
    const known = previous?.get(entry.path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino) {
      snapshot.set(entry.path, known);
      continue;
    }
    try {
      const hash = store.put(readFileSync(entry.absolute));
      snapshot.set(entry.path, { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, hash });
    } catch {
      // Unreadable (permissions) or gone: not recorded, so never restored either.
    }
  }
  return snapshot;
}

/** What changed from `before` to `after`, sorted by path. */
export function changesBetween(before: Snapshot, after: Snapshot): FileChange[] {
  const changes: FileChange[] = [];
  for (const [path, state] of after) {
    const old = before.get(path);
    if (old?.hash !== state.hash) changes.push({ path, before: old?.hash, after: state.hash });
  }
  for (const [path, state] of before) {
    if (!after.has(path)) changes.push({ path, before: state.hash });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
