import { z } from "zod";
import { statInWorkspace } from "./files.js";
import { MAX_OUTPUT_BYTES } from "../truncate.js";
import { MAX_WALK_FILES, walkFiles } from "./walk.js";
import { defineTool } from "./define.js";

export const MAX_LISTED_FILES = 1000;

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
  async run({ path = ".", pattern }, ctx) {
    const { absolute } = await statInWorkspace(ctx.root, path, {
      purpose: "list_files lists directories",
      otherwise: "Call list_files without a path to see the workspace.",
    });
    // dot: true because hidden files are real project files here; .gitignore already filters noise.
    const matches = pattern ? (await import("picomatch")).default(pattern, { dot: true }) : () => true;
    const listed: string[] = [];
    let bytes = 0;
    let more = 0;
    let walked = 0;
    for await (const file of walkFiles(ctx, absolute)) {
      walked++;
      if (!matches(file.relative)) continue;
      if (more === 0 && listed.length < MAX_LISTED_FILES && bytes + file.path.length < MAX_OUTPUT_BYTES - 200) {
        listed.push(file.path);
        bytes += file.path.length + 1;
      } else {
        more++;
      }
    }
    if (listed.length === 0) return noFiles(path, pattern);
    if (more === 0) return { output: listed.join("\n"), display: `${listed.length} file${listed.length === 1 ? "" : "s"}` };
    const total = walked >= MAX_WALK_FILES ? `more than ${listed.length + more}` : `${listed.length + more}`;
    const output = `${listed.join("\n")}\n[Showing ${listed.length} of ${total} files. Narrow with a deeper path or a pattern such as "**/*.ts".]`;
    return { output, display: `${listed.length} of ${total} files` };
  },
});

function noFiles(path: string, pattern: string | undefined): string {
  const where = path === "." ? "the workspace" : path;
  if (!pattern) return `No files in ${where} (.git, node_modules and .gitignored files are skipped).`;
  // The most common miss: "*.ts" only matches directly inside path, which models rarely intend.
  const hint = pattern.includes("/") ? "" : ` Use "**/${pattern}" to include subdirectories.`;
  return `No files match ${pattern} in ${where}.${hint}`;
}
