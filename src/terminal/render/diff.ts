import { createRequire } from "node:module";
import { showControls } from "../../sanitize.js";
import { palette, type Colors } from "./colors.js";

/** The small diff shown under an edit. jsdiff costs ~15 ms to load, so it is required on first use. */

export interface DiffOptions {
  color: boolean;
  /** Diff lines shown before the rest is summarised; default DIFF_MAX_LINES. */
  maxLines?: number;
}

export const DIFF_MAX_LINES = 40;
/** jsdiff is O(N·D); past this it gives up and we show a one-line summary instead. */
const DIFF_TIMEOUT_MS = 200;

const require = createRequire(import.meta.url);

/**
 * Contract: a unified diff of `oldText` → `newText` with 3 lines of context, headed by `path`,
 * at most `maxLines` lines plus a "… N more lines" footer; "" when the texts are equal. Control
 * and invisible characters in the lines and the path are shown as escapes (`\x1b`), never sent
 * raw: file content is not trusted. With
 * `color`, added lines are green, removed red, hunk headers cyan. Never throws on large inputs:
 * a diff too costly to compute becomes a one-line summary.
 */
export function renderDiff(oldText: string, newText: string, path: string, options: DiffOptions): string {
  if (oldText === newText) return "";
  const c = palette(options.color);
  const maxLines = options.maxLines ?? DIFF_MAX_LINES;
  const { structuredPatch, formatPatch, FILE_HEADERS_ONLY } = require("diff") as typeof import("diff");
  const patch = structuredPatch(path, path, oldText, newText, undefined, undefined, {
    context: 3,
    timeout: DIFF_TIMEOUT_MS,
  });
  if (!patch) return c.dim(`${showControls(path)}: changed (${lineCount(oldText)} → ${lineCount(newText)} lines; too large to diff here)`);

  const lines = formatPatch(patch, FILE_HEADERS_ONLY).trimEnd().split("\n");
  const shown = lines
    .slice(0, maxLines)
    .map((line) => showControls(line.replace(/\r$/, ""), "\t"))
    .map((line, i) => (i < 2 ? c.bold(line) : colorDiffLine(line, c)));
  if (lines.length <= maxLines) return shown.join("\n");
  const hidden = lines.length - maxLines;
  return [...shown, c.dim(`… ${hidden} more line${hidden === 1 ? "" : "s"}`)].join("\n");
}

function colorDiffLine(line: string, c: Colors): string {
  if (line.startsWith("@@")) return c.cyan(line);
  if (line.startsWith("+")) return c.green(line);
  if (line.startsWith("-")) return c.red(line);
  if (line.startsWith("\\")) return c.dim(line);
  return line;
}

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}
