import { readCapped } from "./read-capped.js";
import { MAX_OUTPUT_BYTES, MAX_READ_LINES, truncateLine } from "./truncate.js";
import { displayPath, OutsideWorkspaceError, resolveInWorkspace } from "./workspace.js";

/**
 * A workspace file attached to a request (`@path` typed at the prompt or written in a template):
 * read as read_file reads (through the workspace guard, capped, never a FIFO or a device) and
 * wrapped in a <file> block. One owner, so a mention and a template attach a file the same way.
 */
export type Attachment = { shown: string; block: string } | { problem: string } | undefined;

/** Contract: never throws; undefined when `path` names no readable file (the `@` was just text). */
export function attachFile(root: string, path: string): Attachment {
  let real: string;
  try {
    real = resolveInWorkspace(root, path);
  } catch (error) {
    return error instanceof OutsideWorkspaceError ? { problem: `@${path} is outside the workspace; not attached.` } : undefined;
  }
  const shown = displayPath(root, real);
  const read = readCapped(real, MAX_OUTPUT_BYTES);
  if (!read) return undefined;
  if (read.bytes.includes(0)) return { problem: `@${path} is a binary file; not attached.` };
  let lines = read.bytes.toString("utf8").replace(/\n$/, "").split("\n");
  const cut = read.truncated || lines.length > MAX_READ_LINES;
  lines = lines.slice(0, MAX_READ_LINES).map((line) => truncateLine(line));
  const note = cut ? `\n[cut: only the start of the file is here; read_file ${shown} with offset ${lines.length + 1} for the rest]` : "";
  return { shown, block: `<file path="${shown}">\n${lines.join("\n")}${note}\n</file>` };
}

/** `@path` words: after a space or at the start, trailing punctuation left out. */
export function mentionedPaths(text: string): string[] {
  return [...text.matchAll(/(^|\s)@([^\s@]+)/g)].map((match) => match[2].replace(/[.,;:!?)]+$/, ""));
}
