import { randomBytes } from "node:crypto";
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, renameSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { open, lstat, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Every file mini-claude writes goes through here, because a command it ran may have planted a
 * symlink where mini-claude is about to write (the workspace, /tmp and, unsandboxed, anywhere):
 * a write that followed it would land outside the workspace, in a file the person never chose.
 *
 * So a file is always created new (O_CREAT|O_EXCL|O_NOFOLLOW: an existing file or symlink at the
 * name is an error, never opened), 0600 while it is written, under a name no one can guess; a
 * replacement is renamed over the target (which replaces a symlink there, never writes through
 * it); and afterwards the path must hold exactly the file written (lstat: same inode, not a
 * symlink), or the write is reported as failed.
 */

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** While a file is written only its owner may read it; the final mode is set just before it is used. */
const WRITING_MODE = 0o600;

/** Something else took the path between our write and our check: what is there now is not ours. */
export class SwappedPathError extends Error {
  constructor(readonly path: string) {
    super(`${path} was replaced by something else while it was written, so it was left as it is`);
  }
}

/** A fresh name in the folder of `path` that no other process can predict: `.name.<24 hex>.tmp`. */
export function tempNameBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(12).toString("hex")}.tmp`);
}

/**
 * Create `path`, which must not exist (not even as a symlink), and write `content` with `mode`.
 * Contract: throws (EEXIST, ELOOP…) rather than touch anything already at `path`; afterwards
 * `path` is the file written, or SwappedPathError is thrown.
 */
export function writeNewFileSync(path: string, content: string | Buffer, mode = WRITING_MODE): void {
  const fd = openNewFileSync(path, mode);
  let written: Stats;
  try {
    writeAll(fd, content);
    written = fstatSync(fd);
  } finally {
    closeSync(fd);
  }
  checkSameFile(path, written);
}

/**
 * Open `path` for writing as a new file (see writeNewFileSync); the caller writes and closes it,
 * then may confirm with checkSameFile(path, fstatSync(fd)).
 */
export function openNewFileSync(path: string, mode = WRITING_MODE): number {
  const fd = openSync(path, CREATE_NEW, WRITING_MODE);
  // The mode given to open is narrowed by the umask; fchmod makes it exactly what was asked.
  if (mode !== WRITING_MODE) fchmodSync(fd, mode);
  return fd;
}

/**
 * Replace `path` whole: `content` goes to a new temp file beside it (0600 while written), which
 * takes `mode` and is renamed over `path`. A symlink or hard link at `path` is replaced, never
 * written through. Contract: on any failure the temp file is removed and `path` is left as it was
 * (unless SwappedPathError: then something else is there now, and it is left alone).
 */
export function replaceFileSync(path: string, content: string | Buffer, mode: number = defaultFileMode()): void {
  const temp = tempNameBeside(path);
  const fd = openSync(temp, CREATE_NEW, WRITING_MODE);
  let written: Stats;
  try {
    try {
      writeAll(fd, content);
      fchmodSync(fd, mode & 0o7777);
      written = fstatSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
  checkSameFile(path, written);
}

/** replaceFileSync without blocking the event loop (the file tools' writes). Same contract. */
export async function replaceFile(path: string, content: string | Buffer, mode: number = defaultFileMode()): Promise<void> {
  const temp = tempNameBeside(path);
  const handle = await open(temp, CREATE_NEW, WRITING_MODE);
  let written: Stats;
  try {
    try {
      await handle.writeFile(content);
      await handle.chmod(mode & 0o7777);
      written = await handle.stat();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (!sameFile(await lstat(path).catch(() => undefined), written)) throw new SwappedPathError(path);
}

/** Append `text` to `path` (created with `mode` if new); a symlink at `path` is an error (ELOOP), never followed. */
export function appendNoFollowSync(path: string, text: string, mode = WRITING_MODE): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, mode);
  try {
    writeAll(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Contract: throws SwappedPathError unless `path` is, without following a symlink, the file `written` describes. */
export function checkSameFile(path: string, written: Stats): void {
  let now: Stats | undefined;
  try {
    now = lstatSync(path);
  } catch {
    now = undefined;
  }
  if (!sameFile(now, written)) throw new SwappedPathError(path);
}

/** The mode a new file gets from a plain write: 0666 less the umask. */
export function defaultFileMode(): number {
  return 0o666 & ~process.umask();
}

function sameFile(now: Stats | undefined, written: Stats): boolean {
  return Boolean(now?.isFile() && now.ino === written.ino && now.dev === written.dev);
}

function writeAll(fd: number, content: string | Buffer): void {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or already gone.
  }
}
