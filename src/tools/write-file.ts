import { stat } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "./files.js";
import { resolveInWorkspace } from "../workspace.js";
import { defineTool, ToolError } from "./define.js";

export const writeFileTool = defineTool({
  name: "write_file",
  changesFiles: true,
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
    await writeFileAtomic(absolute, content, before?.mode);
    const lines = content === "" ? 0 : content.split("\n").length - (content.endsWith("\n") ? 1 : 0);
    const bytes = Buffer.byteLength(content, "utf8");
    return `${before ? "Overwrote" : "Created"} ${path} (${lines} lines, ${bytes} bytes).`;
  },
});
