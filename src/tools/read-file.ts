import { createReadStream } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import { MAX_LINE_CHARS, MAX_OUTPUT_BYTES, MAX_READ_LINES, truncateLine } from "../truncate.js";
import { displayPath, resolveInWorkspace } from "../workspace.js";
import { defineTool, ToolError } from "./define.js";

const MAX_DIR_ENTRIES = 500;

export const readFileTool = defineTool({
  name: "read_file",
  description:
    `Read a text file as numbered lines (number, tab, text; the numbers are not part of the file). ` +
    `Up to ${MAX_READ_LINES} lines per call; use offset to continue. A directory gives its listing.`,
  params: z.object({
    path: z.string().describe("File path, relative to the workspace"),
    offset: z.number().int().min(1).optional().describe("First line, 1-based"),
    limit: z.number().int().min(1).optional().describe(`Max lines (default ${MAX_READ_LINES})`),
  }),
  summary: ({ path, offset, limit }) =>
    offset || limit ? `read_file ${path} ${offset ?? 1}-${(offset ?? 1) + (limit ?? MAX_READ_LINES) - 1}` : `read_file ${path}`,
  async run({ path, offset = 1, limit = MAX_READ_LINES }, ctx) {
    const absolute = resolveInWorkspace(ctx.root, path);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new ToolError(`${path} does not exist.${await suggestSibling(ctx.root, absolute)}`);
    if (info.isDirectory()) return listDirectory(absolute, path);
    if (await looksBinary(absolute)) {
      return `${path} is a binary file (${info.size} bytes); read_file only shows text.`;
    }
    return readWindow(absolute, path, offset, Math.min(limit, MAX_READ_LINES), info.size, ctx.signal);
  },
});

/** Stream the file and keep only the requested window, so a 1 GB log costs no more memory than a page. */
async function readWindow(absolute: string, path: string, offset: number, limit: number, size: number, signal: AbortSignal) {
  const stream = createReadStream(absolute, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const kept: string[] = [];
  let lineNumber = 0;
  let bytes = 0;
  let stoppedEarly = false;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (lineNumber < offset) continue;
      const numbered = `${lineNumber}\t${truncateLine(line, MAX_LINE_CHARS)}`;
      if (kept.length >= limit || bytes + numbered.length + 1 > MAX_OUTPUT_BYTES || signal.aborted) {
        stoppedEarly = true;
        break;
      }
      kept.push(numbered);
      bytes += numbered.length + 1;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  if (lineNumber === 0) return `${path} is empty.`;
  if (kept.length === 0) throw new ToolError(`${path} has ${lineNumber} lines; offset ${offset} is past the end.`);
  const last = offset + kept.length - 1;
  const footer = stoppedEarly
    ? `\n[Showing lines ${offset}-${last} of ${path} (${formatBytes(size)}). Use offset=${last + 1} to continue.]`
    : offset > 1
      ? `\n[Lines ${offset}-${last} of ${lineNumber}; end of file.]`
      : "";
  return kept.join("\n") + footer;
}

async function listDirectory(absolute: string, path: string): Promise<string> {
  const entries = await readdir(absolute, { withFileTypes: true });
  const names = entries
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort((a, b) => a.localeCompare(b));
  if (names.length === 0) return `${path} is an empty directory.`;
  const shown = names.slice(0, MAX_DIR_ENTRIES).join("\n");
  const more = names.length > MAX_DIR_ENTRIES ? `\n[${names.length - MAX_DIR_ENTRIES} more entries; use list_files with a pattern]` : "";
  return `${path} is a directory:\n${shown}${more}`;
}

async function looksBinary(absolute: string): Promise<boolean> {
  const handle = await open(absolute, "r");
  try {
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).includes(0);
  } finally {
    await handle.close();
  }
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

function formatBytes(size: number): string {
  if (size < 1024) return `${size} bytes`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
