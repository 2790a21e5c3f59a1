import { existsSync, readdirSync } from "node:fs";
import { attachFile, mentionedPaths } from "../../attached-file.js";
import { resolveInWorkspace } from "../../workspace.js";

/**
 * `@path` in a request: the file's contents go with it, so the model need not ask for them.
 * Paths go through the workspace guard and are read as read_file reads (capped, never a FIFO or
 * a device). A mention of a path that does not exist gets a one-line note (a typo otherwise goes
 * unseen) and is left as the text the person typed.
 */

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
  for (const path of mentionedPaths(request)) {
    // `@server:scheme:…` is an MCP resource (resource-mentions.ts), not a path.
    if (/^[\w.-]+:[a-z][a-z0-9+.-]*:/i.test(path)) continue;
    const file = attachFile(root, path);
    if (!file) {
      if (!pathExists(root, path)) problems.push(`@${path}: no such file in the workspace`);
      continue;
    }
    if ("problem" in file) {
      problems.push(file.problem);
      continue;
    }
    if (attached.includes(file.shown)) continue;
    blocks.push(file.block);
    attached.push(file.shown);
  }
  return { text: blocks.length ? `${request}\n\n${blocks.join("\n\n")}` : request, attached, problems };
}

function pathExists(root: string, path: string): boolean {
  try {
    return existsSync(resolveInWorkspace(root, path));
  } catch {
    return true; // the guard refused it for another reason; attachFile already said what, if anything
  }
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
