import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { specialKind, writeFileAtomic } from "./files.js";
import { approveWrite } from "./protected-paths.js";
import { resolveInWorkspace } from "../workspace.js";
import { defineTool, ToolError } from "./define.js";

/** Past this the file replaced is not read for a diff; the person sees its size instead. */
const MAX_DIFF_BYTES = 10 * 1024 * 1024;
/** A new file larger than this gets no diff (it would cost more than it shows). */
const NEW_FILE_DIFF_BYTES = 1024 * 1024;

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
    const existing = await stat(absolute).catch(() => undefined);
    if (existing?.isDirectory()) throw new ToolError(`${path} is a directory; give a file path.`);
    const special = existing && specialKind(existing);
    if (special) throw new ToolError(`${path} is not a regular file (${special}); write_file writes regular files.`);
    const before = existing ? await previousContent(absolute, existing.size) : "";
    const diff = { path, before, after: content };
    await approveWrite(ctx, "write_file", absolute, resolve(ctx.root, path), diff);
    await writeFileAtomic(absolute, content, existing?.mode);
    const lines = content === "" ? 0 : content.split("\n").length - (content.endsWith("\n") ? 1 : 0);
    const bytes = Buffer.byteLength(content, "utf8");
    const output = `${existing ? "Overwrote" : "Created"} ${path} (${lines} lines, ${bytes} bytes).`;
    // Overwriting is shown as a diff, as an edit is; a new file's diff is its text (machine-readable output lists it too).
    return existing || bytes <= NEW_FILE_DIFF_BYTES ? { output, diff } : output;
  },
});

async function previousContent(absolute: string, size: number): Promise<string> {
  if (size > MAX_DIFF_BYTES) return `(the previous ${size} bytes are too many to show)\n`;
  return readFile(absolute, "utf8");
}
