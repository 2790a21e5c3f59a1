import { existsSync, readdirSync } from "node:fs";
import { attachFile, mentionedPaths } from "../../attached-file.js";
import { resolveInWorkspace } from "../../workspace.js";
import type { ContentPart } from "../../images.js";
import { attachImageMention, pastedImages } from "./image-mentions.js";

/**
 * `@path` in a request: the file's contents go with it, so the model need not ask for them.
 * Paths go through the workspace guard and are read as read_file reads (capped, never a FIFO or
 * a device). A mention of a path that does not exist gets a one-line note (a typo otherwise goes
 * unseen) and is left as the text the person typed. An image (`@shot.png`, a pasted image path)
 * goes as an image part (image-mentions.ts).
 */

export interface Mentions {
  /** The request with each attached file appended in a <file> block. */
  text: string;
  /** Workspace paths attached, for the line the person sees. */
  attached: string[];
  /** One sentence per mention that could not be attached. */
  problems: string[];
  /** Images named (`@shot.png`, a pasted image path): labels and image parts, sent before the text. */
  images: ContentPart[];
}

/** `pasted`: what was pasted into this request; an image path among it goes as the image. */
export async function attachMentions(request: string, root: string, pasted: string[] = []): Promise<Mentions> {
  const attached: string[] = [];
  const problems: string[] = [];
  const blocks: string[] = [];
  const images: ContentPart[] = [];
  for (const path of mentionedPaths(request)) {
    // `@server:scheme:…` is an MCP resource (resource-mentions.ts), not a path.
    if (/^[\w.-]+:[a-z][a-z0-9+.-]*:/i.test(path)) continue;
    const image = await attachImageMention(root, path);
    if (image && "problem" in image) problems.push(image.problem);
    if (image && "parts" in image && !attached.includes(image.shown)) {
      images.push(...image.parts);
      attached.push(image.shown);
    }
    if (image) continue;
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
  // Only what is still in the request: the person may have deleted a paste before sending.
  const fromPastes = await pastedImages(pasted.filter((text) => text.trim() && request.includes(text.trim())).join("\n"), root, attached);
  const text = blocks.length ? `${request}\n\n${blocks.join("\n\n")}` : request;
  return { text, attached: [...attached, ...fromPastes.attached], problems: [...problems, ...fromPastes.problems], images: [...images, ...fromPastes.parts] };
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
