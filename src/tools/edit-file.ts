import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import { statInWorkspace, writeFileAtomic } from "./files.js";
import { findClosestPassage } from "./closest-passage.js";
import { approveWrite } from "./protected-paths.js";
import { defineTool, ToolError } from "./define.js";

/** The edit_file tool: replace one exact passage of a file (or every copy with replace_all), with a diff for the person. */

const MAX_EDIT_BYTES = 10 * 1024 * 1024;
const CONTEXT_LINES = 2;
const MAX_SNIPPET_LINES = 30;

export const editFileTool = defineTool({
  name: "edit_file",
  changesFiles: true,
  description:
    "Replace old_string with new_string in a file. old_string must match the file exactly (whitespace included, " +
    "no line numbers) and be unique unless replace_all is set. Read the file first.",
  params: z.object({
    path: z.string().describe("File path, relative to the workspace"),
    old_string: z.string().describe("Exact text to replace"),
    new_string: z.string().describe("Replacement text"),
    replace_all: z.boolean().optional().describe("Replace every occurrence"),
  }),
  summary: ({ path }) => `edit_file ${path}`,
  async run({ path, old_string, new_string, replace_all = false }, ctx) {
    const { absolute, info } = await statInWorkspace(ctx.root, path, {
      purpose: "edit_file edits regular files",
      always: "To create a file, use write_file.",
    });
    if (info.isDirectory()) throw new ToolError(`${path} is a directory, not a file.`);
    if (info.size > MAX_EDIT_BYTES) throw new ToolError(`${path} is too large to edit (${info.size} bytes); edit_file handles up to ${MAX_EDIT_BYTES}.`);
    if (old_string === "") throw new ToolError("old_string is empty. To create or overwrite a whole file, use write_file.");
    if (old_string === new_string) throw new ToolError("old_string and new_string are identical; nothing to change.");

    const before = await readFile(absolute, "utf8");
    const { find, replacement } = matchLineEndings(before, old_string, new_string);
    const positions = occurrences(before, find);
    if (positions.length === 0) throw new ToolError(notFoundMessage(path, before, find));
    if (positions.length > 1 && !replace_all) {
      const lines = positions.map((index) => lineOf(before, index)).join(", ");
      throw new ToolError(
        `old_string occurs ${positions.length} times in ${path} (lines ${lines}); include more surrounding lines to make it unique, or set replace_all: true.`,
      );
    }

    // split/join keeps `$&`, `$1` and friends literal, which String.replace would expand.
    const after = before.split(find).join(replacement);
    await approveWrite(ctx, "edit_file", absolute, resolve(ctx.root, path), { path, before, after });
    await writeFileAtomic(absolute, after, info.mode);
    const firstLine = lineOf(after, positions[0]);
    const changedLines = replacement.split("\n").length;
    const count = positions.length === 1 ? "1 occurrence" : `${positions.length} occurrences`;
    return {
      output: `Edited ${path}: replaced ${count}.\n${snippet(after, firstLine, changedLines)}`,
      diff: { path, before, after },
    };
  },
});

/** A file with CRLF endings still matches an old_string the model wrote with plain newlines. */
function matchLineEndings(content: string, find: string, replacement: string) {
  if (content.includes("\r\n") && !find.includes("\r\n") && find.includes("\n")) {
    return { find: find.replace(/\n/g, "\r\n"), replacement: replacement.replace(/\r?\n/g, "\r\n") };
  }
  return { find, replacement };
}

function occurrences(text: string, find: string): number[] {
  const positions: number[] = [];
  for (let index = text.indexOf(find); index !== -1; index = text.indexOf(find, index + find.length)) {
    positions.push(index);
  }
  return positions;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function snippet(text: string, firstLine: number, changedLines: number): string {
  const lines = text.split("\n");
  const start = Math.max(1, firstLine - CONTEXT_LINES);
  const end = Math.min(lines.length, firstLine + changedLines - 1 + CONTEXT_LINES, start + MAX_SNIPPET_LINES - 1);
  const shown: string[] = [];
  for (let n = start; n <= end; n++) shown.push(`${n}\t${lines[n - 1].replace(/\r$/, "")}`);
  return shown.join("\n");
}

function notFoundMessage(path: string, content: string, find: string): string {
  const closest = findClosestPassage(content, find);
  if (!closest) {
    return `old_string was not found in ${path}, and no similar passage exists. Read the file again (read_file) and copy the exact text.`;
  }
  const one = closest.startLine === closest.endLine;
  const where = one ? `Line ${closest.startLine}` : `Lines ${closest.startLine}-${closest.endLine}`;
  const how = closest.exactIgnoringWhitespace
    ? `${one ? "matches" : "match"} when whitespace and indentation are ignored`
    : `${one ? "is" : "are"} the most similar passage`;
  return (
    `old_string was not found in ${path}. ${where} ${how}:\n` +
    `${closest.text}\nRetry with old_string copied exactly from these lines (without the line numbers).`
  );
}
