import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { INSTRUCTION_FILES, InstructionsReader, joinSections, MAX_INSTRUCTIONS_CHARS, type ProjectInstructions } from "./instructions.js";
import type { PreparedCall, ToolRegistry, ToolResult } from "../tools/index.js";
import { resolveInWorkspace } from "../workspace.js";

/**
 * A subfolder's own AGENTS.md / CLAUDE.md (as Claude Code reads them): they join the conversation
 * when the model first reads a file in that folder, appended to that read_file observation, so a
 * monorepo's per-package rules cost nothing until the model works there. Each folder is looked at
 * once per conversation, and together they are capped like the start-up instructions.
 */
export class SubfolderInstructions {
  private readonly looked = new Set<string>();
  private reader: InstructionsReader;
  private budget = MAX_INSTRUCTIONS_CHARS;

  /** `alreadyRead`: the real paths of the start-up instructions, which are not repeated. */
  constructor(
    private readonly root: string,
    private readonly home: string | undefined,
    private readonly alreadyRead: string[] = [],
  ) {
    this.reader = this.freshReader();
  }

  /** The instructions of the folders between the workspace and `path` not seen yet, or undefined. */
  forRead(path: string): Omit<ProjectInstructions, "realPaths" | "skipped"> | undefined {
    let file: string;
    try {
      file = resolveInWorkspace(this.root, path);
      if (!statSync(file).isFile()) return undefined;
    } catch {
      return undefined;
    }
    // The folders between the workspace and the file, outermost first, each looked at once.
    const unseen: string[] = [];
    for (let dir = dirname(file); dir !== this.root && dir.startsWith(this.root) && !this.looked.has(dir); dir = dirname(dir)) unseen.unshift(dir);
    for (const dir of unseen) this.looked.add(dir);
    const sections = unseen.flatMap((dir) => INSTRUCTION_FILES.flatMap((name) => this.reader.read(join(dir, name), dir)));
    if (!sections.length || this.budget <= 0) return undefined;
    const joined = joinSections(sections.map((s) => s.file), sections, this.budget)!;
    this.budget -= joined.text.length;
    return joined;
  }

  /** /clear: the next conversation hears them again. */
  reset(): void {
    this.looked.clear();
    this.budget = MAX_INSTRUCTIONS_CHARS;
    this.reader = this.freshReader();
  }

  private freshReader(): InstructionsReader {
    const reader = new InstructionsReader(this.root, this.home);
    for (const real of this.alreadyRead) reader.seen.add(real);
    return reader;
  }
}

/**
 * read_file's observations with the subfolder instructions they bring in. A wrapper, like the
 * hooks', so the tool stays one file and every call is still answered once.
 */
export function withSubfolderInstructions(registry: ToolRegistry, instructions: SubfolderInstructions): ToolRegistry {
  return {
    ...registry,
    run: async (call: PreparedCall, ctx): Promise<ToolResult> => {
      const result = await registry.run(call, ctx);
      if (call.name !== "read_file" || !result.ok) return result;
      const path = call.args.path;
      const found = typeof path === "string" ? instructions.forRead(path) : undefined;
      if (!found) return result;
      const output = `${result.output}\n\n[Instructions from ${found.file}; they apply to the files in their folders:]\n${found.text}`;
      return { ...result, output, display: `${result.display} · read ${found.file}` };
    },
  };
}
