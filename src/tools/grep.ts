import { basename, resolve } from "node:path";
import { z } from "zod";
import { statInWorkspace } from "./files.js";
import { compileGlob, scanFiles, type ScanFile } from "./grep-worker.js";
import { plainText, requiredLiteral } from "./required-literal.js";
import { MAX_OUTPUT_BYTES, truncateLine } from "../truncate.js";
import { simpleGlob } from "./simple-glob.js";
import { walkBatches } from "./walk.js";
import { approveRead, defineTool, ToolError, type ToolContext } from "./define.js";

export const MAX_GREP_MATCHES = 200;
export const MAX_GREP_LINE_CHARS = 300;
export const MAX_GREP_FILE_BYTES = 2 * 1024 * 1024;
/** A whole search, walk included; a regex or glob that backtracks for ever is stopped here. */
export const GREP_TIMEOUT_MS = 10_000;
const SIZE_CAP = `${MAX_GREP_FILE_BYTES / 1024 / 1024} MB`;

type GrepArgs = { pattern: string; path?: string; glob?: string; ignore_case?: boolean };

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
  readOnly: true,
  run: (args, ctx) => grep(args, ctx),
});

/** The grep tool's work, with the deadline as a parameter so tests need not wait 10 s. */
export async function grep({ pattern, path = ".", glob, ignore_case }: GrepArgs, ctx: ToolContext, timeoutMs = GREP_TIMEOUT_MS) {
  const flags = ignore_case ? "i" : "";
  compile(pattern, flags);
  const { absolute } = await statInWorkspace(ctx.root, path, {
    purpose: "grep searches files and directories",
    otherwise: "Use list_files to see which paths exist.",
  });
  await approveRead(ctx, "grep", absolute, resolve(ctx.root, path));
  // A glob that cannot backtrack is matched here, as the walk goes (simple-glob.ts); others in the workers.
  const simple = glob === undefined ? undefined : simpleGlob(glob);
  const compiled = glob && !simple ? await compileGlob(glob) : undefined;

  const { matches, skipped, timedOut } = await scanFiles((signal) => filesToScan({ root: ctx.root, signal, readDenied: ctx.readDenied }, absolute, glob, simple), {
    pattern,
    flags,
    literal: requiredLiteral(pattern, flags),
    plain: plainText(pattern, flags),
    glob: compiled,
    maxMatches: MAX_GREP_MATCHES + 1,
    maxFileBytes: MAX_GREP_FILE_BYTES,
    maxLineChars: MAX_GREP_LINE_CHARS,
    timeoutMs,
    signal: ctx.signal,
  });
  const lines: string[] = [];
  let bytes = 0;
  for (const match of matches.slice(0, MAX_GREP_MATCHES)) {
    const line = `${match.path}:${match.line}:${truncateLine(match.text, MAX_GREP_LINE_CHARS, match.length)}`;
    if (bytes + line.length > MAX_OUTPUT_BYTES - 300) break;
    lines.push(line);
    bytes += line.length + 1;
  }
  const shown = `/${pattern}/${flags}`;
  const where = path === "." ? "the workspace" : path;
  if (timedOut) {
    const found = lines.length ? `${lines.join("\n")}\n` : "";
    return (
      `${found}[Search for ${shown} in ${where} timed out after ${timeoutMs / 1000} s` +
      `${lines.length ? ` (the matches above were found before it)` : ""}. ` +
      `Use a simpler pattern (avoid nested quantifiers such as (a+)+ or repeated extglobs such as *(a*)) or a narrower path or glob.]`
    );
  }
  if (lines.length === 0) {
    return `No matches for ${shown} in ${where}${glob ? ` (files matching ${glob})` : ""}.${skippedNote(skipped, true)}`;
  }
  const footer =
    lines.length < matches.length
      ? `\n[Stopped after ${lines.length} matches; there are more. Narrow with path, glob or a more specific pattern.]`
      : "";
  const count = `${lines.length}${footer ? "+" : ""} match${lines.length === 1 && !footer ? "" : "es"}`;
  return { output: lines.join("\n") + footer + skippedNote(skipped, false), display: count };
}

/**
 * A glob without "/" ("*.ts") filters file names at any depth, as in ripgrep; one with "/" matches
 * the path relative to the search path. The worker does the matching (see compileGlob).
 */
async function* filesToScan(
  ctx: { root: string; signal: AbortSignal; readDenied?: ToolContext["readDenied"] },
  start: string,
  glob: string | undefined,
  simple: ((input: string) => boolean) | undefined,
): AsyncGenerator<ScanFile[]> {
  for await (const walked of walkBatches(ctx, start)) {
    // Files the person's Read rules deny are never opened (Claude Code's Read rules cover Grep too).
    const batch = ctx.readDenied ? walked.filter((file) => !ctx.readDenied!(file.absolute)) : walked;
    if (batch.length === 0) continue;
    if (glob === undefined) {
      yield batch;
      continue;
    }
    const files = batch.map((file) => ({ path: file.path, absolute: file.absolute, globInput: glob.includes("/") ? file.relative : basename(file.relative) }));
    const kept = simple ? files.filter((file) => simple(file.globInput)) : files;
    if (kept.length > 0) yield kept;
  }
}

/** Large files are always worth a note (read_file can page through them); binary ones only when nothing matched. */
function skippedNote({ binary, large }: { binary: number; large: number }, withBinary: boolean): string {
  const parts = [
    withBinary && binary > 0 ? `${binary} binary ${binary === 1 ? "file" : "files"}` : "",
    large > 0 ? `${large} ${large === 1 ? "file" : "files"} over ${SIZE_CAP} (use read_file)` : "",
  ].filter(Boolean);
  return parts.length ? `\n[Skipped ${parts.join(" and ")}.]` : "";
}

/** Compiling never runs the pattern, so a bad one is reported here, before the worker starts. */
function compile(pattern: string, flags: string): void {
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    const reason = (error as Error).message;
    throw new ToolError(`${reason}. Escape regex characters such as ( [ { . * + ? with a backslash to match them literally.`);
  }
}
