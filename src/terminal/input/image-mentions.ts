import { homedir } from "node:os";
import { basename, isAbsolute } from "node:path";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { hasImageExtension, readImage, type ContentPart } from "../../images.js";
import { displayPath, isInside, OutsideWorkspaceError, resolveInWorkspace } from "../../workspace.js";

/**
 * Images in a typed request: `@shot.png` (a workspace path, through the workspace guard) and a
 * pasted path to an image file (what a terminal pastes when a file is dropped on it: absolute,
 * `~/…`, quoted, backslash-escaped or a file:// URL). A pasted path may be outside the workspace:
 * the person pasted that file's path themselves, and only an image is ever read from it. A path
 * merely typed stays text ("convert /tmp/a.png" sends no picture).
 */

export interface AttachedImages {
  parts: ContentPart[];
  /** Names attached, for the line the person sees. */
  attached: string[];
  problems: string[];
}

/** The image `@path` names, or undefined when it does not name an image file (then it is an ordinary mention). */
export async function attachImageMention(root: string, path: string): Promise<{ parts: ContentPart[]; shown: string } | { problem: string } | undefined> {
  if (!hasImageExtension(path)) return undefined;
  let real: string;
  try {
    real = resolveInWorkspace(root, path);
  } catch (error) {
    return error instanceof OutsideWorkspaceError ? { problem: `@${path} is outside the workspace; not attached.` } : undefined;
  }
  const image = await readImage(real, displayPath(root, real));
  if (!image) return undefined;
  return "problem" in image ? { problem: image.problem } : { parts: image.parts, shown: image.shown };
}

/** Absolute image paths in `pasted` (the pasted text), each read once; paths that name no image stay text. */
export async function pastedImages(pasted: string, root: string, already: string[]): Promise<AttachedImages> {
  const found: AttachedImages = { parts: [], attached: [], problems: [] };
  for (const candidate of pastedPaths(pasted)) {
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    const shown = isInside(root, real) ? displayPath(root, real) : basename(real);
    if (already.includes(shown) || found.attached.includes(shown)) continue;
    const image = await readImage(real, shown);
    if (!image) continue;
    if ("problem" in image) found.problems.push(image.problem);
    else {
      found.parts.push(...image.parts);
      found.attached.push(shown);
    }
  }
  return found;
}

/** Path-like words ending in an image extension: '…', "…", file://…, or bare with `\ ` for spaces. */
function pastedPaths(request: string): string[] {
  const words = [
    ...[...request.matchAll(/'([^'\n]+)'|"([^"\n]+)"/g)].map((match) => match[1] ?? match[2]),
    ...[...request.matchAll(/(?:^|\s)((?:file:\/\/|~\/|\/)(?:\\ |[^\s'"])+)/g)].map((match) => match[1].replace(/\\ /g, " ")),
  ];
  return words.flatMap((word) => {
    const path = word.startsWith("file://") ? safeFileUrl(word) : word.startsWith("~/") ? `${homedir()}${word.slice(1)}` : word;
    return path && isAbsolute(path) && hasImageExtension(path) ? [path] : [];
  });
}

function safeFileUrl(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}
