import { open, readdir } from "node:fs/promises";
import { resolve } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { statInWorkspace } from "./files.js";
import { MAX_LINE_CHARS, MAX_OUTPUT_BYTES, MAX_READ_LINES, truncateLine } from "../truncate.js";
import { readOnlyRootFor } from "./read-only-roots.js";
import { approveRead, defineTool, ToolError } from "./define.js";
import { hasImageExtension, readImage } from "../images.js";

/** The read_file tool: a file's lines with numbers, a window at a time (offset/limit), or a folder's entries. */

const MAX_DIR_ENTRIES = 500;
const CHUNK_BYTES = 64 * 1024;

export const readFileTool = defineTool({
  name: "read_file",
  description:
    `Read a text file as numbered lines (number, tab, text; the numbers are not part of the file). ` +
    `Up to ${MAX_READ_LINES} lines per call; use offset to continue. A directory gives its listing; an image, the image.`,
  params: z.object({
    path: z.string().describe("File path, relative to the workspace"),
    offset: z.number().int().min(1).optional().describe("First line, 1-based"),
    limit: z.number().int().min(1).optional().describe(`Max lines (default ${MAX_READ_LINES})`),
  }),
  summary: ({ path, offset, limit }) =>
    offset || limit ? `read_file ${path} ${offset ?? 1}-${(offset ?? 1) + (limit ?? MAX_READ_LINES) - 1}` : `read_file ${path}`,
  readOnly: true,
  async run({ path, offset = 1, limit = MAX_READ_LINES }, ctx) {
    // Saved long outputs and the user's skills live outside the workspace; read_file (and nothing else) may read them.
    const root = readOnlyRootFor(path, [ctx.spillDir, ...(ctx.readOnlyRoots ?? [])]) ?? ctx.root;
    const { absolute, info } = await statInWorkspace(root, path, { purpose: "read_file reads files and directories" });
    await approveRead(ctx, "read_file", absolute, resolve(root, path));
    if (info.isDirectory()) return listDirectory(absolute, path);
    const binary = await looksBinary(absolute);
    const image = binary || hasImageExtension(absolute) ? await readImage(absolute, path) : undefined;
    if (image && "problem" in image) throw new ToolError(image.problem);
    // Tool messages carry text only: the loop sends the image itself in a user message after this turn's answers.
    if (image) return { output: `${path} is an image (${formatBytes(image.bytes)}); it follows as an image in the next message.`, images: image.parts, display: `image, ${formatBytes(image.bytes)}` };
    if (binary) {
      return `${path} is a binary file (${info.size} bytes); read_file only shows text.`;
    }
    return readWindow(absolute, path, offset, Math.min(limit, MAX_READ_LINES), info.size, ctx.signal);
  },
});

/**
 * Stream the file in fixed chunks and keep only the requested window, each line cut while it is
 * scanned: a 1 GB log, even one without a newline, costs no more memory than a page. Lines end at
 * "\n" (a "\r" before it is dropped), so the numbers agree with grep and edit_file.
 */
async function readWindow(absolute: string, path: string, offset: number, limit: number, size: number, signal: AbortSignal) {
  const handle = await open(absolute, "r");
  const chunk = Buffer.alloc(CHUNK_BYTES);
  const decoder = new StringDecoder("utf8");
  const kept: string[] = [];
  let lineNumber = 0;
  let bytes = 0;
  let stoppedEarly = false;
  // The line being scanned: its first MAX_LINE_CHARS characters, its full length, its last character.
  let head = "";
  let length = 0;
  let last = "";

  const add = (piece: string) => {
    if (piece === "") return;
    length += piece.length;
    last = piece[piece.length - 1];
    if (head.length < MAX_LINE_CHARS && lineNumber + 1 >= offset) head += piece.slice(0, MAX_LINE_CHARS - head.length);
  };
  /** Ends the current line; false when the window is full. */
  const endLine = (): boolean => {
    lineNumber++;
    if (last === "\r") {
      length--;
      head = head.slice(0, length);
    }
    const numbered = `${lineNumber}\t${truncateLine(head, MAX_LINE_CHARS, length)}`;
    [head, length, last] = ["", 0, ""];
    if (lineNumber < offset) return true;
    if (kept.length >= limit || bytes + numbered.length + 1 > MAX_OUTPUT_BYTES) {
      stoppedEarly = true;
      return false;
    }
    kept.push(numbered);
    bytes += numbered.length + 1;
    return true;
  };

  try {
    scan: for (;;) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      const text = bytesRead === 0 ? decoder.end() : decoder.write(chunk.subarray(0, bytesRead));
      let start = 0;
      for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
        add(text.slice(start, newline));
        if (!endLine()) break scan;
        start = newline + 1;
      }
      add(text.slice(start));
      if (bytesRead === 0) {
        if (length > 0) endLine();
        break;
      }
    }
  } finally {
    await handle.close();
  }
  if (lineNumber === 0) return `${path} is empty.`;
  if (kept.length === 0) throw new ToolError(`${path} has ${lineNumber} lines; offset ${offset} is past the end.`);
  const lastShown = offset + kept.length - 1;
  const footer = stoppedEarly
    ? `\n[Showing lines ${offset}-${lastShown} of ${path} (${formatBytes(size)}). Use offset=${lastShown + 1} to continue.]`
    : offset > 1
      ? `\n[Lines ${offset}-${lastShown} of ${lineNumber}; end of file.]`
      : "";
  return { output: kept.join("\n") + footer, display: `${kept.length} line${kept.length === 1 ? "" : "s"}` };
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

function formatBytes(size: number): string {
  if (size < 1024) return `${size} bytes`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}
