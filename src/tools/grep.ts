import { resolve } from "node:path";
import { z } from "zod";
import { statInWorkspace } from "./files.js";
import { MAX_OUTPUT_BYTES, truncateLine } from "../truncate.js";
import { search } from "./search.js";
import { MAX_HIT_CHARS, MAX_SCANNED_FILE_BYTES, type SearchResult } from "./search-request.js";
import { approveRead, defineTool, type ToolContext } from "./define.js";

/** The grep tool: lines matching a regex under a path, as path:line:text, capped, through search.ts. */

export const MAX_GREP_MATCHES = 200;
/** A whole search, walk included; without rg, a regex or glob that backtracks for ever is stopped here. */
export const GREP_TIMEOUT_MS = 10_000;

type GrepArgs = { pattern: string; path?: string; glob?: string; ignore_case?: boolean };

export const grepTool = defineTool({
  name: "grep",
  description:
    `Search file contents with ripgrep (Rust regex syntax); prints file:line:text. Skips .git, ` +
    `node_modules, .gitignored and binary files. Up to ${MAX_GREP_MATCHES} matches.`,
  params: z.object({
    pattern: z.string().describe("Regex"),
    path: z.string().optional().describe("File or directory (default: workspace root)"),
    glob: z.string().optional().describe('File filter, e.g. "*.ts"'),
    ignore_case: z.boolean().optional().describe("Case-insensitive"),
  }),
  summary: ({ pattern, path = ".", glob, ignore_case }) =>
    `grep /${pattern}/${ignore_case ? "i" : ""} ${path}${glob ? ` ${glob}` : ""}`,
  readOnly: true,
  run: (args, ctx) => grep(args, ctx),
});

/** The grep tool's work, with the deadline as a parameter so tests need not wait 10 s. */
export async function grep({ pattern, path = ".", glob, ignore_case }: GrepArgs, ctx: ToolContext, timeoutMs = GREP_TIMEOUT_MS) {
  const { absolute } = await statInWorkspace(ctx.root, path, {
    purpose: "grep searches files and directories",
    otherwise: "Use list_files to see which paths exist.",
  });
  await approveRead(ctx, "grep", absolute, resolve(ctx.root, path));
  // Files the person's Read rules deny are left out (Claude Code's Read rules cover Grep too).
  const keep = (file: string) => !ctx.readDenied?.(file);
  const found = await search({ root: ctx.root, start: absolute, pattern, ignoreCase: ignore_case, glob, limit: MAX_GREP_MATCHES, timeoutMs, signal: ctx.signal, keep });
  const lines: string[] = [];
  let bytes = 0;
  for (const hit of found.hits.slice(0, MAX_GREP_MATCHES)) {
    const line = `${hit.path}:${hit.line}:${truncateLine(hit.text, MAX_HIT_CHARS, hit.length)}`;
    if (bytes + line.length > MAX_OUTPUT_BYTES - 300) break;
    lines.push(line);
    bytes += line.length + 1;
  }
  const shown = `/${pattern}/${ignore_case ? "i" : ""}`;
  const where = path === "." ? "the workspace" : path;
  if (found.timedOut) {
    const before = lines.length ? `${lines.join("\n")}\n` : "";
    return (
      `${before}[Search for ${shown} in ${where} timed out after ${timeoutMs / 1000} s` +
      `${lines.length ? ` (the matches above were found before it)` : ""}. ` +
      `Use a simpler pattern (avoid nested quantifiers such as (a+)+ or repeated extglobs such as *(a*)) or a narrower path or glob.]`
    );
  }
  if (lines.length === 0) {
    // The description names rg's dialect; when JavaScript's ran instead, a miss may be why.
    const dialect = found.engine === "javascript" ? "\n[rg is not installed, so this ran JavaScript's regex.]" : "";
    return `No matches for ${shown} in ${where}${glob ? ` (files matching ${glob})` : ""}.${skippedNote(found, true)}${dialect}`;
  }
  const footer =
    lines.length < found.hits.length
      ? `\n[Stopped after ${lines.length} matches; there are more. Narrow with path, glob or a more specific pattern.]`
      : "";
  const count = `${lines.length}${footer ? "+" : ""} match${lines.length === 1 && !footer ? "" : "es"}`;
  return { output: lines.join("\n") + footer + skippedNote(found, false), display: count };
}

/** Large files are always worth a note (read_file can page through them); binary ones only when nothing matched. */
function skippedNote({ binary, large }: SearchResult, withBinary: boolean): string {
  const parts = [
    withBinary && binary > 0 ? `${binary} binary ${binary === 1 ? "file" : "files"}` : "",
    large > 0 ? `${large} ${large === 1 ? "file" : "files"} over ${MAX_SCANNED_FILE_BYTES / 1024 / 1024} MB (use read_file)` : "",
  ].filter(Boolean);
  return parts.length ? `\n[Skipped ${parts.join(" and ")}.]` : "";
}
