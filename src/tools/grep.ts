import { readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { MAX_OUTPUT_BYTES, truncateLine } from "../truncate.js";
import { walkFiles } from "../walk.js";
import { resolveInWorkspace } from "../workspace.js";
import { defineTool, ToolError } from "./define.js";
import { suggestSibling } from "./read-file.js";

export const MAX_GREP_MATCHES = 200;
export const MAX_GREP_LINE_CHARS = 300;
export const MAX_GREP_FILE_BYTES = 2 * 1024 * 1024;
const BINARY_SNIFF_BYTES = 8192;
const SIZE_CAP = `${MAX_GREP_FILE_BYTES / 1024 / 1024} MB`;

export const grepTool = defineTool({
  name: "grep",
  description:
    `Search file contents with a JavaScript regex; prints file:line:text. Skips .git, node_modules, ` +
    `.gitignored, binary and >${SIZE_CAP} files. Up to ${MAX_GREP_MATCHES} matches.`,
  params: z.object({
    pattern: z.string().describe("JavaScript regex"),
    path: z.string().optional().describe("File or directory (default: workspace root)"),
    glob: z.string().optional().describe('File filter, e.g. "*.ts"'),
    ignore_case: z.boolean().optional().describe("Case-insensitive"),
  }),
  summary: ({ pattern, path = ".", glob, ignore_case }) =>
    `grep /${pattern}/${ignore_case ? "i" : ""} ${path}${glob ? ` ${glob}` : ""}`,
  async run({ pattern, path = ".", glob, ignore_case }, ctx) {
    const regex = compile(pattern, ignore_case);
    const absolute = resolveInWorkspace(ctx.root, path);
    if (!(await stat(absolute).catch(() => undefined))) {
      const hint = (await suggestSibling(ctx.root, absolute)) || " Use list_files to see which paths exist.";
      throw new ToolError(`${path} does not exist.${hint}`);
    }
    const included = glob ? await globFilter(glob) : () => true;
    const lines: string[] = [];
    const skipped = { binary: 0, large: 0 };
    let bytes = 0;
    let capped = false;
    for await (const file of walkFiles(ctx, absolute)) {
      if (capped) break;
      if (!included(file.relative)) continue;
      const contents = await readText(file.absolute);
      if (typeof contents !== "string") {
        skipped[contents.skipped]++;
        continue;
      }
      const fileLines = contents.split(/\r?\n/);
      for (let i = 0; i < fileLines.length; i++) {
        if (!regex.test(fileLines[i])) continue;
        const line = `${file.path}:${i + 1}:${truncateLine(fileLines[i], MAX_GREP_LINE_CHARS)}`;
        capped = lines.length >= MAX_GREP_MATCHES || bytes + line.length > MAX_OUTPUT_BYTES - 300;
        if (capped) break;
        lines.push(line);
        bytes += line.length + 1;
      }
    }
    const shown = `/${pattern}/${ignore_case ? "i" : ""}`;
    if (lines.length === 0) {
      const where = path === "." ? "the workspace" : path;
      return `No matches for ${shown} in ${where}${glob ? ` (files matching ${glob})` : ""}.${skippedNote(skipped, true)}`;
    }
    const footer = capped
      ? `\n[Stopped after ${lines.length} matches; there are more. Narrow with path, glob or a more specific pattern.]`
      : "";
    return lines.join("\n") + footer + skippedNote(skipped, false);
  },
});

/** Large files are always worth a note (read_file can page through them); binary ones only when nothing matched. */
function skippedNote({ binary, large }: { binary: number; large: number }, withBinary: boolean): string {
  const parts = [
    withBinary && binary > 0 ? `${binary} binary ${binary === 1 ? "file" : "files"}` : "",
    large > 0 ? `${large} ${large === 1 ? "file" : "files"} over ${SIZE_CAP} (use read_file)` : "",
  ].filter(Boolean);
  return parts.length ? `\n[Skipped ${parts.join(" and ")}.]` : "";
}

/**
 * A glob without "/" ("*.ts") filters file names at any depth, as in ripgrep; one with "/" matches
 * the path relative to the search path. (picomatch's `basename` option would apply to both.)
 */
async function globFilter(glob: string): Promise<(relative: string) => boolean> {
  const { default: picomatch } = await import("picomatch");
  const matches = picomatch(glob, { dot: true });
  return glob.includes("/") ? matches : (relative) => matches(basename(relative));
}

function compile(pattern: string, ignoreCase: boolean | undefined): RegExp {
  try {
    return new RegExp(pattern, ignoreCase ? "i" : "");
  } catch (error) {
    const reason = (error as Error).message;
    throw new ToolError(`${reason}. Escape regex characters such as ( [ { . * + ? with a backslash to match them literally.`);
  }
}

/** The file's text, or why it was skipped: binary means a NUL byte near the start, as git decides. */
async function readText(absolute: string): Promise<string | { skipped: "binary" | "large" }> {
  const info = await stat(absolute);
  if (info.size > MAX_GREP_FILE_BYTES) return { skipped: "large" };
  // Under the size cap a whole-file read is cheap, and simpler than streaming lines.
  const buffer = await readFile(absolute);
  if (buffer.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { skipped: "binary" };
  return buffer.toString("utf8");
}
