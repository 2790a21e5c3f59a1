import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { readCapped } from "../read-capped.js";
import type { Status } from "./features.js";
import { isFile } from "../workspace.js";

/** One line of doctor's report: an item of a file, and how mini-claude takes it. */
export interface Row {
  /** The file or folder, as the person knows it (relative, or ~/…). */
  source: string;
  item: string;
  /** "flagged": a hook script that would silently misbehave here. */
  status: Status | "flagged";
  why?: string;
}

/** A file or folder doctor looks at: its real path and how to show it. */
export interface Place {
  path: string;
  shown: string;
}

const MAX_CONFIG_BYTES = 1024 * 1024;

/** undefined: no such file; otherwise the object, or why it cannot be used. */
export function readJson(path: string): { value: Record<string, unknown> } | { problem: string } | undefined {
  const read = readCapped(path, MAX_CONFIG_BYTES);
  if (!read) return undefined;
  try {
    const value = JSON.parse(read.bytes.toString("utf8")) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: "not a JSON object" };
    return { value: value as Record<string, unknown> };
  } catch (error) {
    return { problem: `not valid JSON (${(error as Error).message.split("\n")[0]})` };
  }
}

export function readText(path: string): string | undefined {
  const read = readCapped(path, MAX_CONFIG_BYTES);
  return read && !read.bytes.includes(0) ? read.bytes.toString("utf8") : undefined;
}

/** Files ending in `ext` under `dir` (three levels deep), with their names relative to it, without `ext`. */
export function filesUnder(dir: string, ext: string, depth = 0): Array<{ path: string; name: string }> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: Array<{ path: string; name: string }> = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 3) found.push(...filesUnder(path, ext, depth + 1).map((file) => ({ ...file, name: `${entry.name}/${file.name}` })));
    else if (entry.name.endsWith(ext) && isFile(path)) found.push({ path, name: entry.name.slice(0, -ext.length) });
  }
  return found;
}

/** Where a path lives, as the person knows it: relative to the workspace, or ~/…. */
export function placeOf(path: string, workspace: string, home: string | undefined): Place {
  if (path.startsWith(workspace + sep)) return { path, shown: relative(workspace, path) };
  if (home && path.startsWith(home + sep)) return { path, shown: `~/${relative(home, path)}` };
  return { path, shown: path };
}
