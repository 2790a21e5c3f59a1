import { chmod, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { resolveInWorkspace } from "../workspace.js";
import { defineTool, ToolError } from "./define.js";

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
    await writeFileAtomic(absolute, content, before?.mode);
    const lines = content === "" ? 0 : content.split("\n").length - (content.endsWith("\n") ? 1 : 0);
    const bytes = Buffer.byteLength(content, "utf8");
    return `${before ? "Overwrote" : "Created"} ${path} (${lines} lines, ${bytes} bytes).`;
  },
});

/**
 * Write through a temp file in the same folder and rename it into place, so a crash or Ctrl-C
 * never leaves a half-written file. Keeps the mode of the file it replaces.
 */
export async function writeFileAtomic(absolute: string, content: string, mode?: number): Promise<void> {
  await mkdir(dirname(absolute), { recursive: true });
  const temp = join(dirname(absolute), `.${basename(absolute)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, content, "utf8");
    if (mode !== undefined) await chmod(temp, mode & 0o7777);
    await rename(temp, absolute);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
