/** Filesystem helpers shared by the file tools, so that no tool imports another. */
import type { Stats } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { replaceFile } from "../safe-write.js";
import { ToolError } from "./define.js";
import { displayPath, resolveInWorkspace } from "../workspace.js";

export interface MissingPathAdvice {
  /** What the tool takes, for the refusal of a FIFO or device: "read_file reads files and directories". */
  purpose: string;
  /** Said after "does not exist." when no sibling name is close. */
  otherwise?: string;
  /** Said after "does not exist." in every case. */
  always?: string;
}

/**
 * Resolve a path the model gave and stat it. Contract: returns only for an existing regular file
 * or directory inside the workspace; otherwise throws a ToolError that says what to do instead.
 */
export async function statInWorkspace(root: string, path: string, advice: MissingPathAdvice): Promise<{ absolute: string; info: Stats }> {
  const absolute = resolveInWorkspace(root, path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) {
    const sibling = await suggestSibling(root, absolute);
    const hint = (sibling || (advice.otherwise ? ` ${advice.otherwise}` : "")) + (advice.always ? ` ${advice.always}` : "");
    throw new ToolError(`${path} does not exist.${hint}`);
  }
  const special = specialKind(info);
  if (special) throw new ToolError(`${path} is not a regular file (${special}); ${advice.purpose}.`);
  return { absolute, info };
}

/**
 * What a path is when it is neither a regular file nor a directory ("a FIFO", "a socket", …),
 * else undefined. Opening a FIFO or a device blocks or never ends, so tools stat first and refuse.
 */
export function specialKind(info: Stats): string | undefined {
  if (info.isFile() || info.isDirectory()) return undefined;
  if (info.isFIFO()) return "a FIFO";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  return "a special file";
}

/**
 * Write through a new temp file in the same folder, renamed into place (safe-write.ts), so a crash
 * or Ctrl-C never leaves a half-written file and a symlink planted at the path or its temp name is
 * never written through. Keeps the mode of the file it replaces.
 */
export async function writeFileAtomic(absolute: string, content: string, mode?: number): Promise<void> {
  await mkdir(dirname(absolute), { recursive: true });
  await replaceFile(absolute, content, mode);
}

/** " Did you mean src/app.ts?" when a sibling's name is close to the one asked for. */
export async function suggestSibling(root: string, absolute: string): Promise<string> {
  const wanted = basename(absolute).toLowerCase();
  const siblings = await readdir(dirname(absolute)).catch(() => [] as string[]);
  const close = siblings.filter((name) => {
    const candidate = name.toLowerCase();
    return candidate === wanted || stem(candidate) === stem(wanted) || editDistance(candidate, wanted) <= 2;
  });
  if (close.length === 0) return "";
  const paths = close.slice(0, 3).map((name) => displayPath(root, `${dirname(absolute)}/${name}`));
  return ` Did you mean ${paths.join(" or ")}?`;
}

function stem(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
