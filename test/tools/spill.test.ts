import { readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgv } from "../../src/config/args.js";
import { loadConfig } from "../../src/config/config.js";
import { OutputTee } from "../../src/tools/output-tee.js";
import { spillDirOf, spillOutput, spillPathIn } from "../../src/tools/spill.js";
import { z } from "zod";
import { defineTool, runTool, tools, type ToolContext } from "../../src/tools/index.js";
import { MAX_OUTPUT_BYTES } from "../../src/truncate.js";
import { tempWorkspace } from "../support/workspace.js";
import { approveAll } from "../support/approve-all.js";

const context = (root: string, spillDir?: string) => ({ root, signal: new AbortController().signal, spillDir, approve: approveAll }) as ToolContext;
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

describe("exec's whole output", () => {
  it("a command printing more than the observation holds has its whole output saved, and the observation says where", async () => {
    const ws = tempWorkspace();
    const spillDir = spillDirOf(ws.home);
    const ctx = { ...context(ws.root, spillDir), approve: async () => ({ approved: true }) } as ToolContext;
    const result = await call(ctx, "exec", { command: "seq 1 200000" });
    expect(result.output).toContain("bytes cut from the middle of this output");
    expect(result.output).toMatch(/\n199999\n200000\n\nexit code 0 \(\d+\.\ds\)\n\[The whole output \(1288895 bytes\) is saved in \S+; page through it/);
    const path = spillPathIn(result.output)!;
    expect(readFileSync(path, "utf8")).toBe(`${Array.from({ length: 200000 }, (_, i) => i + 1).join("\n")}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // The middle the model did not see is one read_file away.
    expect((await call(ctx, "read_file", { path, offset: 100000, limit: 1 })).output).toMatch(/^100000\t100000\n/);

    // Just past what the observation keeps whole (49,152 bytes), the cut is saved too.
    const edge = await call(ctx, "exec", { command: "yes abcdefghi | head -c 50000" });
    expect(edge.output).toContain("bytes cut from the middle of this output");
    expect(readFileSync(spillPathIn(edge.output)!, "utf8")).toBe("abcdefghi\n".repeat(5000));
    rmSync(spillPathIn(edge.output)!);

    // An output the observation holds whole is not written anywhere.
    const small = await call(ctx, "exec", { command: "seq 1 10" });
    expect(small.output).not.toContain("saved in");
    expect(readdirSync(spillDir)).toHaveLength(1);
  });

  it("the saved copy stops at its cap and says how much was left out", () => {
    const ws = tempWorkspace();
    const tee = new OutputTee(spillDirOf(ws.home), "exec", 10, 25);
    for (const piece of ["0123456789", "abcdefghij", "ABCDEFGHIJ"]) tee.push(Buffer.from(piece));
    tee.close();
    expect(readFileSync(tee.path!, "utf8")).toBe("0123456789abcdefghijABCDE");
    expect([tee.savedBytes, tee.unsaved]).toEqual([25, 5]);
    expect(spillPathIn(`[The output's first 25 bytes are saved in ${tee.path} (the last 5 were not); page through it with read_file (offset/limit).]`)).toBe(tee.path);
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
