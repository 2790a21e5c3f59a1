import { execFileSync } from "node:child_process";
import { chmodSync, closeSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, runTool, type Tool, type ToolContext } from "../../src/tools/index.js";
import { tempWorkspace } from "../support/workspace.js";
import { approveAll } from "../support/approve-all.js";

function context(root: string): ToolContext {
  return { root, signal: new AbortController().signal, approve: approveAll } as ToolContext;
}

async function call(root: string, name: string, args: unknown) {
  return runTool({ name, arguments: JSON.stringify(args) }, context(root));
}

describe("read_file", () => {
  it("shows numbered lines", async () => {
    const ws = tempWorkspace({ "a.txt": "one\ntwo\nthree\n" });
    const result = await call(ws.root, "read_file", { path: "a.txt" });
    expect(result).toMatchObject({ ok: true, output: "1\tone\n2\ttwo\n3\tthree", label: "read_file a.txt" });
  });

  it("paginates with offset and limit and says how to continue", async () => {
    const ws = tempWorkspace({ "big.txt": Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`).join("\n") });
    const first = await call(ws.root, "read_file", { path: "big.txt" });
    expect(first.output.split("\n")).toHaveLength(2001);
    expect(first.output).toMatch(/\[Showing lines 1-2000 of big\.txt \(.*\)\. Use offset=2001 to continue\.\]$/);
    const window = await call(ws.root, "read_file", { path: "big.txt", offset: 2999, limit: 5 });
    expect(window.output).toBe("2999\tline 2999\n3000\tline 3000\n[Lines 2999-3000 of 3000; end of file.]");
    const past = await call(ws.root, "read_file", { path: "big.txt", offset: 5000 });
    expect(past.output).toBe("Error: big.txt has 3000 lines; offset 5000 is past the end.");
  });

  it("cuts very long lines and caps the bytes of one call", async () => {
    const ws = tempWorkspace({ "long.txt": `${"x".repeat(5000)}\nshort\n` });
    const result = await call(ws.root, "read_file", { path: "long.txt" });
    expect(result.output).toContain("… [3000 more characters]");
    expect(result.output).toContain("2\tshort");
    ws.write("wide.txt", Array.from({ length: 1000 }, () => "y".repeat(1000)).join("\n"));
    const wide = await call(ws.root, "read_file", { path: "wide.txt" });
    expect(Buffer.byteLength(wide.output)).toBeLessThan(52 * 1024);
    expect(wide.output).toMatch(/Use offset=\d+ to continue/);
  });

  it("refuses binary files, lists directories, and suggests a near name for a missing file", async () => {
    const ws = tempWorkspace({ "src/app.ts": "x", "src/util.ts": "y" });
    writeFileSync(join(ws.root, "img.png"), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    expect((await call(ws.root, "read_file", { path: "img.png" })).output).toBe("img.png is a binary file (4 bytes); read_file only shows text.");
    expect((await call(ws.root, "read_file", { path: "src" })).output).toBe("src is a directory:\napp.ts\nutil.ts");
    expect((await call(ws.root, "read_file", { path: "src/ap.ts" })).output).toBe("Error: src/ap.ts does not exist. Did you mean src/app.ts?");
    expect((await call(ws.root, "read_file", { path: "nothing.md" })).output).toBe("Error: nothing.md does not exist.");
  });

  it("streams a huge single-line file in bounded memory, cutting the line while it scans", async () => {
    const ws = tempWorkspace();
    const size = 50 * 1024 * 1024;
    const fd = openSync(join(ws.root, "huge.log"), "w");
    const block = Buffer.alloc(1024 * 1024, "x");
    for (let written = 0; written < size; written += block.length) writeSync(fd, block);
    writeSync(fd, Array.from({ length: 3000 }, (_, i) => `\nline ${i + 2}`).join(""));
    closeSync(fd);

    const before = process.memoryUsage();
    let peak = { rss: before.rss, heapUsed: before.heapUsed };
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = { rss: Math.max(peak.rss, now.rss), heapUsed: Math.max(peak.heapUsed, now.heapUsed) };
    }, 2);
    const result = await call(ws.root, "read_file", { path: "huge.log" });
    clearInterval(sampler);

    const lines = result.output.split("\n");
    expect(lines[0]).toBe(`1\t${"x".repeat(2000)}… [${size - 2000} more characters]`);
    expect(lines[1]).toBe("2\tline 2");
    expect(lines[2000]).toBe("[Showing lines 1-2000 of huge.log (50.0 MB). Use offset=2001 to continue.]");
    expect((peak.rss - before.rss) / 1024 / 1024).toBeLessThan(30);
    expect((peak.heapUsed - before.heapUsed) / 1024 / 1024).toBeLessThan(20);
  });

  it("decodes characters split across read chunks and drops the CR of CRLF endings", async () => {
    const ws = tempWorkspace({ "euro.txt": "€€€€€€\n".repeat(5000), "crlf.txt": `a\r\n${"y".repeat(2001)}\r\n\r\nb` });
    const euro = await call(ws.root, "read_file", { path: "euro.txt", offset: 3400, limit: 100 });
    expect(euro.output).toBe(
      Array.from({ length: 100 }, (_, i) => `${3400 + i}\t€€€€€€`).join("\n") +
        "\n[Showing lines 3400-3499 of euro.txt (92.8 KB). Use offset=3500 to continue.]",
    );
    const crlf = await call(ws.root, "read_file", { path: "crlf.txt" });
    expect(crlf.output).toBe(`1\ta\n2\t${"y".repeat(2000)}… [1 more characters]\n3\t\n4\tb`);
  });

  it("refuses FIFOs and sockets instead of blocking on them", async () => {
    const ws = tempWorkspace({ "a.txt": "x" });
    execFileSync("mkfifo", [join(ws.root, "pipe")]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(ws.root, "sock"), resolve));
    try {
      expect((await call(ws.root, "read_file", { path: "pipe" })).output).toBe(
        "Error: pipe is not a regular file (a FIFO); read_file reads files and directories.",
      );
      expect((await call(ws.root, "read_file", { path: "sock" })).output).toBe(
        "Error: sock is not a regular file (a socket); read_file reads files and directories.",
      );
      expect((await call(ws.root, "edit_file", { path: "pipe", old_string: "a", new_string: "b" })).output).toBe(
        "Error: pipe is not a regular file (a FIFO); edit_file edits regular files.",
      );
    } finally {
      server.close();
    }
  });

  it("never reads through a symlink that leaves the workspace", async () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.outside, "secret.txt"), "TOP-SECRET");
    symlinkSync(join(ws.outside, "secret.txt"), join(ws.root, "innocent.txt"));
    const result = await call(ws.root, "read_file", { path: "innocent.txt" });
    expect(result.ok).toBe(false);
    expect(result.output).not.toContain("TOP-SECRET");
    expect(result.output).toContain(`outside the workspace ${ws.root}`);
  });
});

describe("write_file", () => {
  it("creates parent folders and reports what it wrote", async () => {
    const ws = tempWorkspace();
    const result = await call(ws.root, "write_file", { path: "deep/new/file.txt", content: "a\nb\n" });
    expect(result.output).toBe("Created deep/new/file.txt (2 lines, 4 bytes).");
    expect(ws.read("deep/new/file.txt")).toBe("a\nb\n");
  });

  it("overwrites atomically, keeping the file mode, and leaves no temp file", async () => {
    const ws = tempWorkspace({ "run.sh": "old" });
    chmodSync(join(ws.root, "run.sh"), 0o755);
    const result = await call(ws.root, "write_file", { path: "run.sh", content: "#!/bin/sh\necho hi" });
    expect(result.output).toBe("Overwrote run.sh (2 lines, 17 bytes).");
    expect(statSync(join(ws.root, "run.sh")).mode & 0o777).toBe(0o755);
    expect(readdirSync(ws.root)).toEqual(["run.sh"]);
  });

  it("refuses to write outside the workspace, through .. or a dangling symlink", async () => {
    const ws = tempWorkspace();
    const escape = await call(ws.root, "write_file", { path: "../outside/pwned.txt", content: "x" });
    expect(escape.output).toBe(`Error: Path ../outside/pwned.txt resolves outside the workspace ${ws.root}; only paths inside it can be used.`);
    symlinkSync(join(ws.outside, "made.txt"), join(ws.root, "trap.txt"));
    const trap = await call(ws.root, "write_file", { path: "trap.txt", content: "x" });
    expect(trap.ok).toBe(false);
    expect(() => readFileSync(join(ws.outside, "made.txt"))).toThrow();
  });
});

describe("edit_file", () => {
  it("replaces a unique match, shows the changed lines, and keeps $ patterns literal", async () => {
    const ws = tempWorkspace({ "a.js": "const a = 1;\nconst b = 2;\nconst c = 3;\n" });
    const result = await call(ws.root, "edit_file", { path: "a.js", old_string: "const b = 2;", new_string: "const b = '$&$1';" });
    expect(result.output).toBe("Edited a.js: replaced 1 occurrence.\n1\tconst a = 1;\n2\tconst b = '$&$1';\n3\tconst c = 3;\n4\t");
    expect(ws.read("a.js")).toBe("const a = 1;\nconst b = '$&$1';\nconst c = 3;\n");
    expect(result.diff).toMatchObject({ path: "a.js", before: "const a = 1;\nconst b = 2;\nconst c = 3;\n" });
  });

  it("distinguishes several matches from none", async () => {
    const ws = tempWorkspace({ "a.txt": "x = 1\ny = 2\nx = 1\n" });
    const many = await call(ws.root, "edit_file", { path: "a.txt", old_string: "x = 1", new_string: "x = 9" });
    expect(many.output).toBe(
      "Error: old_string occurs 2 times in a.txt (lines 1, 3); include more surrounding lines to make it unique, or set replace_all: true.",
    );
    const all = await call(ws.root, "edit_file", { path: "a.txt", old_string: "x = 1", new_string: "x = 9", replace_all: true });
    expect(all.output).toMatch(/^Edited a.txt: replaced 2 occurrences\./);
    expect(ws.read("a.txt")).toBe("x = 9\ny = 2\nx = 9\n");
    const none = await call(ws.root, "edit_file", { path: "a.txt", old_string: "completely different text here", new_string: "z" });
    expect(none.output).toBe(
      "Error: old_string was not found in a.txt, and no similar passage exists. Read the file again (read_file) and copy the exact text.",
    );
  });

  it("quotes the passage that matches when whitespace is ignored, with line numbers", async () => {
    const ws = tempWorkspace({ "f.py": "def f():\n    if x:\n        return 1\n    return 2\n" });
    const result = await call(ws.root, "edit_file", { path: "f.py", old_string: "if x:\n  return 1", new_string: "if x:\n  return 3" });
    expect(result.output).toBe(
      "Error: old_string was not found in f.py. Lines 2-3 match when whitespace and indentation are ignored:\n" +
        "2\t    if x:\n3\t        return 1\nRetry with old_string copied exactly from these lines (without the line numbers).",
    );
    expect(ws.read("f.py")).toBe("def f():\n    if x:\n        return 1\n    return 2\n");
  });

  it("quotes the most similar passage for a near miss", async () => {
    const ws = tempWorkspace({ "g.ts": "function greet(name: string) {\n  return `Hello, ${name}!`;\n}\n" });
    const result = await call(ws.root, "edit_file", { path: "g.ts", old_string: "  return `Hello ${name}`;", new_string: "x" });
    expect(result.output).toContain("Line 2 is the most similar passage:\n2\t  return `Hello, ${name}!`;");
  });

  it("answers a miss at once whatever the sizes of the file and old_string", async () => {
    const sizes = [
      // 10^10 line comparisons done naively: a file of identical lines and an old_string of half of them.
      { file: "a\n".repeat(200_000), old: `${"a\n".repeat(100_000)}b` },
      // Long lines: a million fuzzy comparisons of 5,000-character lines.
      { file: Array.from({ length: 2000 }, (_, i) => `${"x".repeat(5000)}${i}`).join("\n"), old: Array.from({ length: 1000 }, () => "y".repeat(5000)).join("\n") },
    ];
    for (const { file, old } of sizes) {
      const ws = tempWorkspace({ "big.txt": file });
      const started = Date.now();
      const result = await call(ws.root, "edit_file", { path: "big.txt", old_string: old, new_string: "z" });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result.output).toMatch(/^Error: old_string was not found in big.txt/);
    }
  });

  it("matches plain newlines against a CRLF file and keeps CRLF", async () => {
    const ws = tempWorkspace({ "w.txt": "a\r\nb\r\nc\r\n" });
    const result = await call(ws.root, "edit_file", { path: "w.txt", old_string: "a\nb", new_string: "A\nB" });
    expect(result.ok).toBe(true);
    expect(ws.read("w.txt")).toBe("A\r\nB\r\nc\r\n");
  });

  it("explains empty, identical and missing-file edits", async () => {
    const ws = tempWorkspace({ "a.txt": "x" });
    expect((await call(ws.root, "edit_file", { path: "a.txt", old_string: "", new_string: "y" })).output).toMatch(/old_string is empty/);
    expect((await call(ws.root, "edit_file", { path: "a.txt", old_string: "x", new_string: "x" })).output).toMatch(/identical/);
    expect((await call(ws.root, "edit_file", { path: "zzz/b.txt", old_string: "x", new_string: "y" })).output).toBe(
      "Error: zzz/b.txt does not exist. To create a file, use write_file.",
    );
  });
});

describe("tool modules", () => {
  it("import shared modules only, never another tool", () => {
    const folder = join(import.meta.dirname, "../../src/tools");
    const isTool = (file: string) => readFileSync(join(folder, file), "utf8").includes("defineTool({");
    for (const file of readdirSync(folder).filter((name) => name !== "index.ts")) {
      const imported = [...readFileSync(join(folder, file), "utf8").matchAll(/from "\.\/([\w-]+)\.js"/g)].map((m) => `${m[1]}.ts`);
      expect(imported.filter(isTool), file).toEqual([]);
    }
  });
});

describe("runTool", () => {
  it("turns unknown tools, bad JSON and schema errors into observations", async () => {
    const ws = tempWorkspace();
    const unknown = await runTool({ name: "delete_everything", arguments: "{}" }, context(ws.root));
    expect(unknown.output).toMatch(/^Error: unknown tool "delete_everything"\. Available tools: read_file, write_file, edit_file, list_files, grep/);
    const badJson = await runTool({ name: "read_file", arguments: '{"path": "a.txt"' }, context(ws.root));
    expect(badJson.output).toBe('Error: the arguments for read_file are not valid JSON. Received: "{\\"path\\": \\"a.txt\\"". Send one JSON object.');
    const badArgs = await runTool({ name: "read_file", arguments: '{"offset": "ten"}' }, context(ws.root));
    expect(badArgs.output).toBe(
      'Error: invalid arguments for read_file:\npath: Required\noffset: Expected number, received string\nReceived: "{\\"offset\\":\\"ten\\"}"',
    );
    expect([unknown.ok, badJson.ok, badArgs.ok]).toEqual([false, false, false]);
  });

  it("a schema whose own code throws is an observation too, never a throw out of the registry", async () => {
    const ws = tempWorkspace();
    const fragile = defineTool({
      name: "fragile",
      description: "fragile",
      params: z.object({ key: z.string().refine(() => {
        throw new Error("boom");
      }) }),
      run: async () => "never",
    }) as unknown as Tool;
    const result = await runTool({ name: "fragile", arguments: '{"key": "a"}' }, context(ws.root), [fragile]);
    expect(result).toMatchObject({ ok: false, label: "fragile", output: "Error: fragile failed unexpectedly while checking its arguments: boom" });
  });

  it("answers arguments nested 200,000 deep with an observation, never a stack overflow", async () => {
    const ws = tempWorkspace({ "a.txt": "fine" });
    const deep = 200_000;
    const cases = [
      "[".repeat(deep) + "]".repeat(deep),
      `{"path": ${"[".repeat(deep)}${"]".repeat(deep)}}`,
      `{"path": "a.txt", "x": ${'{"a":'.repeat(deep)}1${"}".repeat(deep)}}`,
      "[".repeat(deep),
    ];
    for (const args of cases) {
      const result = await runTool({ name: "read_file", arguments: args }, context(ws.root));
      expect(result).toMatchObject({
        ok: false,
        output: "Error: the arguments for read_file are nested more than 64 levels deep. Send one flat JSON object with the fields the tool describes.",
      });
    }
    // Brackets inside strings are text, not nesting.
    ws.write("[[[.txt", "brackets");
    const inString = await runTool({ name: "read_file", arguments: JSON.stringify({ path: "[[[.txt", note: "[".repeat(100) }) }, context(ws.root));
    expect(inString.output).toBe("1\tbrackets");
    // 60 levels is allowed through to the schema, whose message quotes what it got.
    const shallow = await runTool({ name: "read_file", arguments: `{"path": ${"[".repeat(60)}${"]".repeat(60)}}` }, context(ws.root));
    expect(shallow.output).toMatch(/^Error: invalid arguments for read_file:\npath: Expected string, received array\nReceived: "/);
  });
});
