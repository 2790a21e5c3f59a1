import { chmodSync, mkdirSync } from "node:fs";
import { appendNoFollowSync, replaceFileSync } from "./safe-write.js";

/**
 * Files under mini-claude's config and data folders hold whole source files, command output and
 * everything typed at the prompt: only their owner may read them, whatever the umask says.
 */

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Contract: `dir` exists afterwards; every folder this call creates is 0700. With `own`, `dir`
 * itself is made 0700 even if it existed (a folder only mini-claude uses, such as sessions/,
 * possibly created by an older version); a folder the person chose is otherwise left as it is.
 */
export function ensurePrivateDir(dir: string, own = false): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  if (own) chmodSync(dir, PRIVATE_DIR);
}

/** Contract: appends `text`; a file this call creates is 0600 (an existing one keeps its mode). */
export function appendPrivate(path: string, text: string): void {
  appendNoFollowSync(path, text, PRIVATE_FILE);
}

/** Contract: replaces the content of `path` (a symlink there is replaced, never followed) and leaves it 0600. */
export function writePrivate(path: string, text: string): void {
  replaceFileSync(path, text, PRIVATE_FILE);
}

/**
 * Contract: makes an existing file 0600 (a transcript written before files were private); best
 * effort, never throws: a file we cannot chmod is still worth resuming.
 */
export function makePrivate(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE);
  } catch {
    // see above
  }
}
