import { readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgv } from "../../src/args.js";
import { loadConfig } from "../../src/config.js";
import { spillDirOf, spillOutput } from "../../src/tools/spill.js";
import { z } from "zod";
import { defineTool, runTool, tools, type ToolContext } from "../../src/tools/index.js";
import { MAX_OUTPUT_BYTES } from "../../src/truncate.js";
import { tempWorkspace } from "../support/workspace.js";

const context = (root: string, spillDir?: string) => ({ root, signal: new AbortController().signal, spillDir }) as ToolContext;
const call = (ctx: ToolContext, name: string, args: unknown) => runTool({ name, arguments: JSON.stringify(args) }, ctx);

describe("big outputs are never lost", () => {
  it("a capped output is saved whole (0600 in a 0700 folder), the observation names it, and read_file can page through it", async () => {
    const ws = tempWorkspace();
    // Built-in tools page or narrow their own output; any tool's output over the cap is saved.
    const dump = defineTool({
      name: "dump",
      description: "prints a lot",
      params: z.object({}),
      run: async () => Array.from({ length: 5000 }, (_, i) => `big.txt:${i + 1}:match ${i + 1}: ${"z".repeat(20)}`).join("\n"),
    });
    const spillDir = spillDirOf(ws.home);
    const ctx = context(ws.root, spillDir);
    const result = await runTool({ name: "dump", arguments: "{}" }, ctx, [...tools, dump as never]);
    expect(result.output).toContain("bytes cut from the middle of this output");

    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
    const path = /is saved in (\S+); page through it with read_file \(offset\/limit\)\.\]$/.exec(result.output)?.[1];
    expect(path?.startsWith(`${spillDir}/`)).toBe(true);
    expect(readFileSync(path!, "utf8")).toContain("big.txt:5000:match 5000:");
    expect(statSync(path!).mode & 0o777).toBe(0o600);
    expect(statSync(spillDir).mode & 0o777).toBe(0o700);

    const page = await call(ctx, "read_file", { path: path!, offset: 4999, limit: 2 });
    expect(page.output).toMatch(/^4999\tbig\.txt:4999:match 4999: z+\n5000\tbig\.txt:5000:match 5000: z+\n\[Lines 4999-5000 of 5000; end of file\.\]$/);
  });

  it("the exception is read-only and only for that folder", async () => {
    const ws = tempWorkspace();
    const spillDir = spillDirOf(ws.home);
    const ctx = context(ws.root, spillDir);
    const saved = spillOutput("saved text\n", spillDir, "exec");
    expect((await call(ctx, "read_file", { path: saved })).output).toBe("1\tsaved text");

    const write = await call(ctx, "write_file", { path: join(spillDir, "evil.txt"), content: "x" });
    expect(write.output).toMatch(/^Error: Path .* resolves outside the workspace/);
    const edit = await call(ctx, "edit_file", { path: saved, old_string: "saved", new_string: "changed" });
    expect(edit.output).toMatch(/^Error: Path .* resolves outside the workspace/);
    const elsewhere = await call(ctx, "read_file", { path: join(ws.home, "notes.txt") });
    expect(elsewhere.output).toMatch(/^Error: Path .* resolves outside the workspace/);
    // A link planted in the spill folder cannot lead read_file back out of it.
    symlinkSync(ws.outside, join(spillDir, "escape"));
    const escaped = await call(ctx, "read_file", { path: join(spillDir, "escape") });
    expect(escaped.output).toMatch(/^Error: Path .* resolves outside the workspace/);
    // Without a spill folder (tools used on their own) there is no exception at all.
    expect((await call(context(ws.root), "read_file", { path: saved })).output).toMatch(/^Error: Path .* resolves outside the workspace/);
  });
});

describe("--context-window", () => {
  it("takes N or Nk from the flag over MINI_CLAUDE_CONTEXT_WINDOW, and explains a bad value", async () => {
    const ws = tempWorkspace();
    const load = (argv: string[], env: NodeJS.ProcessEnv) => loadConfig(parseArgv(argv), { HOME: ws.home, ...env }, ws.root);
    expect(await load(["--context-window", "16k"], { MINI_CLAUDE_CONTEXT_WINDOW: "8000" })).toMatchObject({ contextWindow: 16384, contextWindowFrom: "--context-window" });
    expect(await load([], { MINI_CLAUDE_CONTEXT_WINDOW: "8000" })).toMatchObject({ contextWindow: 8000, contextWindowFrom: "MINI_CLAUDE_CONTEXT_WINDOW" });
    expect((await load([], {})).contextWindow).toBeUndefined();
    await expect(load(["--context-window", "lots"], {})).rejects.toThrow("Invalid context window: must be a number of tokens such as 16384 or 16k");
    await expect(load(["--context-window", "100"], {})).rejects.toThrow("Invalid context window: must be at least 1024 tokens");
  });
});
