import { resolve } from "node:path";
import { z } from "zod";
import { statInWorkspace } from "./files.js";
import { MAX_OUTPUT_BYTES } from "../truncate.js";
import { search } from "./search.js";
import { approveRead, defineTool, ToolError, type ToolContext } from "./define.js";

/** The list_files tool: the files under a path matching a glob, in path order, capped, through search.ts. */

export const MAX_LISTED_FILES = 1000;
/** The walk and the pattern together; without rg, a glob that backtracks for ever is stopped here. */
export const LIST_TIMEOUT_MS = 10_000;
/** Files counted for "Showing 1000 of N"; past it the count says "more than". */
const MAX_COUNTED_FILES = 100_000;

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

/** list_files' work, with the deadline as a parameter so tests need not wait. */
export async function listFiles({ path = ".", pattern }: { path?: string; pattern?: string }, ctx: ToolContext, timeoutMs = LIST_TIMEOUT_MS) {
  const { absolute } = await statInWorkspace(ctx.root, path, {
    purpose: "list_files lists directories",
    otherwise: "Call list_files without a path to see the workspace.",
  });
  await approveRead(ctx, "list_files", absolute, resolve(ctx.root, path));
  // Files the person's Read rules deny are not listed (Claude Code's Read rules cover Glob too).
  const keep = (file: string) => !ctx.readDenied?.(file);
  const glob = pattern === undefined ? undefined : relativeToPath(pattern);
  const found = await search({ root: ctx.root, start: absolute, glob, limit: MAX_COUNTED_FILES, timeoutMs, signal: ctx.signal, keep });
  const where = path === "." ? "the workspace" : path;
  if (found.timedOut) {
    throw new ToolError(
      `matching ${pattern} in ${where} timed out after ${timeoutMs / 1000} s. ` +
        `Use a simpler pattern (avoid repeated extglobs such as *(a*)*(a*)) or a deeper path.`,
    );
  }
  const listed: string[] = [];
  let bytes = 0;
  for (const { path: file } of found.hits) {
    if (listed.length >= MAX_LISTED_FILES || bytes + file.length >= MAX_OUTPUT_BYTES - 200) break;
    listed.push(file);
    bytes += file.length + 1;
  }
  if (listed.length === 0) return noFiles(where, pattern);
  if (listed.length === found.hits.length) return { output: listed.join("\n"), display: `${listed.length} file${listed.length === 1 ? "" : "s"}` };
  const total = found.hits.length > MAX_COUNTED_FILES ? `more than ${MAX_COUNTED_FILES}` : `${found.hits.length}`;
  const output = `${listed.join("\n")}\n[Showing ${listed.length} of ${total} files. Narrow with a deeper path or a pattern such as "**/*.ts".]`;
  return { output, display: `${listed.length} of ${total} files` };
}

/** A pattern without "/" means the top of path ("*.ts"), where rg's --glob would match names at any depth. */
function relativeToPath(pattern: string): string {
  const negated = pattern.startsWith("!");
  const body = negated ? pattern.slice(1) : pattern;
  return `${negated ? "!" : ""}${body.includes("/") ? body : `/${body}`}`;
}

function noFiles(where: string, pattern: string | undefined): string {
  if (!pattern) return `No files in ${where} (.git, node_modules and .gitignored files are skipped).`;
  // The most common miss: "*.ts" only matches directly inside path, which models rarely intend.
  const hint = pattern.includes("/") ? "" : ` Use "**/${pattern}" to include subdirectories.`;
  return `No files match ${pattern} in ${where}.${hint}`;
}
