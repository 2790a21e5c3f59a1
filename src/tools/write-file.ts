import { readFile, stat } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "./files.js";
import { resolveInWorkspace } from "../workspace.js";
import { defineTool, ToolError } from "./define.js";

/** Files larger than this get no diff (it would cost more than it shows). */
const DIFF_MAX_BYTES = 1024 * 1024;

export const writeFileTool = defineTool({
  name: "write_file",
  description: "Create or overwrite a whole file (parent folders are created). To change part of a file, use edit_file.",
  params: z.object({
    path: z.string().describe("File path, relative to the workspace"),
    content: z.string().describe("The complete new content"),
  }),
  summary: ({ path }) => `write_file ${path}`,
  async run({ path, content }, ctx) {
    const absolute = resolveInWorkspace(ctx.root, path);
    const before = await stat(absolute).catch(() => undefined);
    if (before?.isDirectory()) throw new ToolError(`${path} is a directory; give a file path.`);
    // The old text only for the diff the person (and --output-format stream-json) sees; a huge file is not read for it.
    const old = before && before.size <= DIFF_MAX_BYTES ? await readFile(absolute, "utf8").catch(() => undefined) : undefined;
    await writeFileAtomic(absolute, content, before?.mode);
    const lines = content === "" ? 0 : content.split("\n").length - (content.endsWith("\n") ? 1 : 0);
    const bytes = Buffer.byteLength(content, "utf8");
    const output = `${before ? "Overwrote" : "Created"} ${path} (${lines} lines, ${bytes} bytes).`;
    const diffable = !before || old !== undefined;
    return diffable && bytes <= DIFF_MAX_BYTES ? { output, diff: { path, before: old ?? "", after: content } } : output;
  },
});
