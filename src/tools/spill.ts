import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, realpathSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { writeNewFileSync } from "../safe-write.js";
import { capOutput, MAX_OUTPUT_BYTES } from "../truncate.js";
import { isInside } from "../workspace.js";

/**
 * Big outputs are never lost: a tool output too long for the history is saved whole in the data
 * folder (`<dataDir>/spill/`), and what the model reads says where, so it can page through it
 * with read_file (which may read this folder, and only read it; see tools/read-file.ts).
 * Tool outputs can hold secrets from the workspace, so the folder is 0700 and each file 0600.
 */

export const SPILL_FOLDER = "spill";

/** The spill folder of a data folder (config.ts's dataDir). */
export function spillDirOf(dataDir: string): string {
  return join(dataDir, SPILL_FOLDER);
}

/**
 * Save `text` whole in `dir` and return the file's path.
 * Contract: the folder is created 0700 (and made 0700 if it exists), the file 0600; throws on I/O failure.
 */
export function spillOutput(text: string, dir: string, label = "output"): string {
  const path = newSpillPath(dir, label);
  writeNewFileSync(path, text, 0o600);
  return path;
}

/** A fresh file name in the spill folder, which is created 0700 (or made 0700) on the way. */
export function newSpillPath(dir: string, label = "output"): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const name = `${stamp}-${label.replace(/[^\w.-]+/g, "_").slice(0, 40)}-${randomBytes(8).toString("hex")}.txt`;
  return join(dir, name);
}

/** The footer that tells the model where the whole output is; compaction's stubs look for it too. */
export function spillFooter(path: string, bytes: number): string {
  return `\n[The whole output (${bytes} bytes) is saved in ${path}; page through it with read_file (offset/limit).]`;
}

/** Finds the spill path in an observation written with spillFooter (or exec's capped variant). */
export function spillPathIn(text: string): string | undefined {
  return /\[The (?:whole output \(\d+ bytes\) is|output's first \d+ bytes are) saved in (.+?)(?: \(the last \d+ were not\))?; page through it/.exec(text)?.[1];
}

/**
 * Cap an observation at `maxBytes`; when anything is cut and `dir` is given, save the whole
 * text there first and end the capped text with its path. A failing disk costs the copy, not the
 * observation. Contract: the result is at most `maxBytes` bytes.
 */
export function capAndSpill(text: string, dir: string | undefined, label?: string, maxBytes = MAX_OUTPUT_BYTES): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes || !dir) return capOutput(text, maxBytes);
  let path: string;
  try {
    path = spillOutput(text, dir, label);
  } catch {
    return capOutput(text, maxBytes);
  }
  const footer = spillFooter(path, bytes);
  return capOutput(text, maxBytes - Buffer.byteLength(footer)) + footer;
}

/**
 * The one exception to the workspace guard: read_file may read a saved output. Returns the real
 * spill folder when `path` is an absolute path inside it (the caller then guards the path against
 * that folder instead of the workspace, symlinks included), else undefined.
 */
export function spillRootFor(path: string, dir: string | undefined): string | undefined {
  if (!dir || !isAbsolute(path)) return undefined;
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return undefined;
  }
  const requested = resolve(path);
  return isInside(real, requested) || isInside(resolve(dir), requested) ? real : undefined;
}
