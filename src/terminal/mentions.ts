import { readdirSync } from "node:fs";
import { readCapped } from "../read-capped.js";
import { MAX_OUTPUT_BYTES, MAX_READ_LINES, truncateLine } from "../truncate.js";
import { displayPath, OutsideWorkspaceError, resolveInWorkspace } from "../workspace.js";

/**
 * `@path` in a request: the file's contents go with it, so the model need not ask for them.
 * Paths go through the workspace guard and are read as read_file reads (capped, never a FIFO or
 * a device); a mention that names no file is left as the text the person typed.
 */

const MENTION = /(^|\s)@([^\s@]+)/g;

export interface Mentions {
  /** The request with each attached file appended in a <file> block. */
  text: string;
  /** Workspace paths attached, for the line the person sees. */
  attached: string[];
  /** One sentence per mention that could not be attached. */
  problems: string[];
}

export function attachMentions(request: string, root: string): Mentions {
  const attached: string[] = [];
  const problems: string[] = [];
  const blocks: string[] = [];
  for (const match of request.matchAll(MENTION)) {
    const path = match[2].replace(/[.,;:!?)]+$/, "");
    let real: string;
    try {
      real = resolveInWorkspace(root, path);
    } catch (error) {
      if (error instanceof OutsideWorkspaceError) problems.push(`@${path} is outside the workspace; not attached.`);
      continue;
    }
    const shown = displayPath(root, real);
    if (attached.includes(shown)) continue;
    const read = readCapped(real, MAX_OUTPUT_BYTES);
    if (!read) continue;
    if (read.bytes.includes(0)) {
      problems.push(`@${path} is a binary file; not attached.`);
      continue;
    }
    let lines = read.bytes.toString("utf8").replace(/\n$/, "").split("\n");
    const cut = read.truncated || lines.length > MAX_READ_LINES;
    lines = lines.slice(0, MAX_READ_LINES).map((line) => truncateLine(line));
    const note = cut ? `\n[cut: only the start of the file is here; read_file ${shown} with offset ${lines.length + 1} for the rest]` : "";
    blocks.push(`<file path="${shown}">\n${lines.join("\n")}${note}\n</file>`);
    attached.push(shown);
  }
  return { text: blocks.length ? `${request}\n\n${blocks.join("\n\n")}` : request, attached, problems };
}

/** Tab completion of the `@path` being typed at the end of `line` (readline completer shape). */
export function completeMention(line: string, root: string): [string[], string] {
  const match = /(?:^|\s)@([^\s@]*)$/.exec(line);
  if (!match) return [[], line];
  const partial = match[1];
  const folder = partial.includes("/") ? partial.slice(0, partial.lastIndexOf("/") + 1) : "";
  try {
    const dir = resolveInWorkspace(root, folder || ".");
    const hits = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.name !== ".git" && `${folder}${entry.name}`.startsWith(partial))
      .filter((entry) => !entry.name.startsWith(".") || partial.slice(folder.length).startsWith("."))
      .map((entry) => `@${folder}${entry.name}${entry.isDirectory() ? "/" : ""}`)
      .sort()
      .slice(0, 200);
    return [hits, `@${partial}`];
  } catch {
    return [[], `@${partial}`];
  }
}
