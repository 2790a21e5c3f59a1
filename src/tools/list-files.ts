import { resolve } from "node:path";
import { z } from "zod";
import { statInWorkspace } from "./files.js";
import { MAX_OUTPUT_BYTES } from "../truncate.js";
import { MAX_WALK_FILES, walkBatches } from "./walk.js";
import { compileGlob, scanFiles, type ScanFile } from "./grep-worker.js";
import { simpleGlob } from "./simple-glob.js";
import { approveRead, defineTool, ToolError, type ToolContext } from "./define.js";

export const MAX_LISTED_FILES = 1000;
/** The walk and the pattern together; a glob that backtracks for ever is stopped here. */
export const LIST_TIMEOUT_MS = 10_000;

export const listFilesTool = defineTool({
  name: "list_files",
  description:
    `List files under a directory, recursively, skipping .git, node_modules and .gitignored files. ` +
    `Up to ${MAX_LISTED_FILES} paths; narrow with path or pattern.`,
  params: z.object({
    path: z.string().optional().describe("Directory (default: workspace root)"),
    pattern: z.string().optional().describe('Glob relative to path, e.g. "**/*.ts" or "src/*.js"'),
  }),
  summary: ({ path = ".", pattern }) => (pattern ? `list_files ${path} ${pattern}` : `list_files ${path}`),
  readOnly: true,
  run: (args, ctx) => listFiles(args, ctx),
});

/**
 * list_files' work, with the deadline as a parameter so tests need not wait. A pattern beyond
 * simple-glob.ts is matched in grep's worker, under a deadline: a glob such as `@(a*)*(a*)*(a*)*b`
 * backtracks for ever, and only terminating the worker stops it (the main thread would not even
 * hear Ctrl-C).
 */
export async function listFiles({ path = ".", pattern }: { path?: string; pattern?: string }, ctx: ToolContext, timeoutMs = LIST_TIMEOUT_MS) {
  const { absolute } = await statInWorkspace(ctx.root, path, {
    purpose: "list_files lists directories",
    otherwise: "Call list_files without a path to see the workspace.",
  });
  await approveRead(ctx, "list_files", absolute, resolve(ctx.root, path));
  // dot: true (in compileGlob) because hidden files are real project files here; .gitignore already filters noise.
  // Without a pattern, or with one that cannot backtrack (simple-glob.ts), no worker: the walk
  // alone, which Ctrl-C stops, and booting a worker would cost more than the matching.
  const simple = pattern === undefined ? () => true : simpleGlob(pattern);
  const { matches, walked } = simple ? await collect(ctx, absolute, simple) : await matchInWorker(ctx, absolute, pattern!, timeoutMs);
  if (matches === undefined) {
    throw new ToolError(
      `matching ${pattern} in ${path === "." ? "the workspace" : path} timed out after ${timeoutMs / 1000} s. ` +
        `Use a simpler pattern (avoid repeated extglobs such as *(a*)*(a*)) or a deeper path.`,
    );
  }
  const listed: string[] = [];
  let bytes = 0;
  for (const file of matches) {
    if (listed.length >= MAX_LISTED_FILES || bytes + file.path.length >= MAX_OUTPUT_BYTES - 200) break;
    listed.push(file.path);
    bytes += file.path.length + 1;
  }
  if (listed.length === 0) return noFiles(path, pattern);
  if (listed.length === matches.length) return { output: listed.join("\n"), display: `${listed.length} file${listed.length === 1 ? "" : "s"}` };
  const total = walked >= MAX_WALK_FILES ? `more than ${matches.length}` : `${matches.length}`;
  const output = `${listed.join("\n")}\n[Showing ${listed.length} of ${total} files. Narrow with a deeper path or a pattern such as "**/*.ts".]`;
  return { output, display: `${listed.length} of ${total} files` };
}

type Found = { matches: { path: string }[]; walked: number } | { matches: undefined; walked: number };

/** The walk's files whose path relative to `start` matches `glob`, in a worker; no matches when it timed out. */
async function matchInWorker(ctx: ToolContext, start: string, glob: string, timeoutMs: number): Promise<Found> {
  let walked = 0;
  async function* everyFile(signal: AbortSignal): AsyncGenerator<ScanFile[]> {
    for await (const batch of walkBatches({ root: ctx.root, signal }, start)) {
      walked += batch.length;
      yield batch.filter((file) => !ctx.readDenied?.(file.absolute)).map((file) => ({ path: file.path, absolute: file.absolute, globInput: file.relative }));
    }
  }
  const { matches, timedOut } = await scanFiles(everyFile, {
    flags: "",
    glob: await compileGlob(glob),
    namesOnly: true,
    maxMatches: MAX_WALK_FILES,
    maxFileBytes: 0,
    maxLineChars: 0,
    timeoutMs,
    signal: ctx.signal,
  });
  return { matches: timedOut ? undefined : matches, walked };
}

/** The walk's files whose path relative to `start` passes `match`, and how many were walked. */
async function collect(ctx: ToolContext, start: string, match: (relative: string) => boolean): Promise<{ matches: { path: string }[]; walked: number }> {
  const matches: { path: string }[] = [];
  let walked = 0;
  for await (const batch of walkBatches({ root: ctx.root, signal: ctx.signal }, start)) {
    walked += batch.length;
    // Files the person's Read rules deny are not listed (Claude Code's Read rules cover Glob too).
    for (const file of batch) if (match(file.relative) && !ctx.readDenied?.(file.absolute)) matches.push(file);
  }
  return { matches, walked };
}

function noFiles(path: string, pattern: string | undefined): string {
  const where = path === "." ? "the workspace" : path;
  if (!pattern) return `No files in ${where} (.git, node_modules and .gitignored files are skipped).`;
  // The most common miss: "*.ts" only matches directly inside path, which models rarely intend.
  const hint = pattern.includes("/") ? "" : ` Use "**/${pattern}" to include subdirectories.`;
  return `No files match ${pattern} in ${where}.${hint}`;
}
