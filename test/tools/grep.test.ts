import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { grep as grepWithin, grepTool } from "../../src/tools/grep.js";
import type { ToolContext } from "../../src/tools/index.js";
import { approveAll } from "../support/approve-all.js";

let root: string;
let outside: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "mc-grep-")));
  outside = await realpath(await mkdtemp(join(tmpdir(), "mc-outside-")));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

async function files(tree: Record<string, string | Buffer>, base = root): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), content);
  }
}

type Args = { pattern: string; path?: string; glob?: string; ignore_case?: boolean };
const grep = async (args: Args) => outputOf(await grepTool.run(args, { root, signal: new AbortController().signal, approve: approveAll } as ToolContext));
const outputOf = (result: string | { output: string }) => (typeof result === "string" ? result : result.output);

const project = {
  ".gitignore": "*.log\n",
  "src/a.ts": "const x = 1;\nfunction foo() {}\r\n// FOO again\n",
  "src/b.js": "foo();\n",
  "src/lib/.gitignore": "generated.ts\n",
  "src/lib/generated.ts": "foo",
  "src/lib/c.ts": "let y = foo;\n",
  "debug.log": "foo",
  ".git/config": "foo",
  "node_modules/x/index.js": "foo",
};

describe("grep", () => {
  it("prints file:line:text for each match, skipping ignored files, .git and node_modules", async () => {
    await files(project);
    expect(await grep({ pattern: "fo+" })).toBe(
      ["src/a.ts:2:function foo() {}", "src/b.js:1:foo();", "src/lib/c.ts:1:let y = foo;"].join("\n"),
    );
  });

  it("matches case-insensitively on request", async () => {
    await files(project);
    expect(await grep({ pattern: "foo", path: "src/a.ts", ignore_case: true })).toBe(
      "src/a.ts:2:function foo() {}\nsrc/a.ts:3:// FOO again",
    );
  });

  it("filters file names with a glob at any depth, relative to path", async () => {
    await files(project);
    expect(await grep({ pattern: "foo", glob: "*.ts" })).toBe("src/a.ts:2:function foo() {}\nsrc/lib/c.ts:1:let y = foo;");
    expect(await grep({ pattern: "foo", path: "src", glob: "lib/*.ts" })).toBe("src/lib/c.ts:1:let y = foo;");
    expect(await grep({ pattern: "foo", glob: "*.py" })).toBe("No matches for /foo/ in the workspace (files matching *.py).");
  });

  it("gives the same lines whether the pattern is plain text (read on the main thread too) or a regex (workers only)", async () => {
    await files(project);
    const expected = ["src/a.ts:2:function foo() {}", "src/b.js:1:foo();", "src/lib/c.ts:1:let y = foo;"].join("\n");
    expect(await grep({ pattern: "foo" })).toBe(expected);
    expect(await grep({ pattern: "fo[o]" })).toBe(expected);
    expect(await grep({ pattern: "foo", glob: "*.{ts,js}" })).toBe(expected);
    expect(await grep({ pattern: "foo\\(" })).toBe("src/a.ts:2:function foo() {}\nsrc/b.js:1:foo();");
  });

  it("skips binary files, and says so when nothing else matched", async () => {
    await files({ "img.bin": Buffer.from("foo\0\x01\x02foo"), "a.txt": "foo\n" });
    expect(await grep({ pattern: "foo" })).toBe("a.txt:1:foo");
    expect(await grep({ pattern: "foo", path: "img.bin" })).toBe("No matches for /foo/ in img.bin.\n[Skipped 1 binary file.]");
  });

  it("skips files over the size cap and points to read_file", async () => {
    await files({ "big.txt": `foo\n${"x".repeat(2 * 1024 * 1024)}`, "small.txt": "foo" });
    expect(await grep({ pattern: "foo" })).toBe("small.txt:1:foo\n[Skipped 1 file over 2 MB (use read_file).]");
  });

  it("turns an invalid regex into an instruction", async () => {
    await expect(grep({ pattern: "foo(" })).rejects.toThrow(
      "Invalid regular expression: /foo(/: Unterminated group. Escape regex characters such as ( [ { . * + ? with a backslash to match them literally.",
    );
  });

  it("reports no matches plainly", async () => {
    await files(project);
    expect(await grep({ pattern: "bar\\d", path: "src" })).toBe("No matches for /bar\\d/ in src.");
    expect(await grep({ pattern: "bar", ignore_case: true })).toBe("No matches for /bar/i in the workspace.");
  });

  it("caps the matches and cuts long lines", async () => {
    const lines = Array.from({ length: 250 }, (_, i) => `match ${i}`);
    await files({ "many.txt": lines.join("\n"), "z-long.txt": `match ${"y".repeat(400)}` });
    const output = String(await grep({ pattern: "match" })).split("\n");
    expect(output).toHaveLength(201);
    expect(output[199]).toBe("many.txt:200:match 199");
    expect(output[200]).toBe("[Stopped after 200 matches; there are more. Narrow with path, glob or a more specific pattern.]");
    expect(await grep({ pattern: "match", path: "z-long.txt" })).toBe(`z-long.txt:1:match ${"y".repeat(294)}… [106 more characters]`);
  });

  it("does not follow symlinks out of the workspace", async () => {
    await files({ "secret.txt": "foo", "dir/inner.txt": "foo" }, outside);
    await files({ "real.txt": "foo" });
    await symlink(join(outside, "dir"), join(root, "out-dir"));
    await symlink(join(outside, "secret.txt"), join(root, "out-file.txt"));
    expect(await grep({ pattern: "foo" })).toBe("real.txt:1:foo");
    await expect(grep({ pattern: "foo", path: "out-file.txt" })).rejects.toThrow("resolves outside the workspace");
  });

  it("rejects an escaping path and explains a missing one", async () => {
    await files({ "src/app.ts": "" });
    await expect(grep({ pattern: "x", path: "../etc" })).rejects.toThrow(`Path ../etc resolves outside the workspace ${root}`);
    await expect(grep({ pattern: "x", path: "src/app.js" })).rejects.toThrow("src/app.js does not exist. Did you mean src/app.ts?");
    await expect(grep({ pattern: "x", path: "nope" })).rejects.toThrow("nope does not exist. Use list_files to see which paths exist.");
  });

  it("stops a regex that backtracks for ever at the deadline, keeping the matches found before", async () => {
    await files({ "a.txt": "aaaa\n", "evil.txt": `${"a".repeat(40)}!\n`, "z.txt": "aaa\n" });
    const started = Date.now();
    const output = outputOf(await grepWithin({ pattern: "^(a+)+$" }, { root, signal: new AbortController().signal, approve: approveAll } as ToolContext, 300));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(output).toBe(
      "a.txt:1:aaaa\n[Search for /^(a+)+$/ in the workspace timed out after 0.3 s (the matches above were found before it). " +
        "Use a simpler pattern (avoid nested quantifiers such as (a+)+ or repeated extglobs such as *(a*)) or a narrower path or glob.]",
    );
    // The worker is terminated, not left spinning: this process is nearly idle afterwards.
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(process.cpuUsage(cpu).user / 1000).toBeLessThan(250);
  });

  it("stops a glob filter that backtracks for ever at the same deadline", async () => {
    await files({ "ab.txt": "hit\n", [`${"a".repeat(60)}.txt`]: "hit\n" });
    const started = Date.now();
    const output = outputOf(await grepWithin({ pattern: "hit", glob: "@(a*)*(a*)*(a*)*b*(a*)*(a*)*(a*)*c" }, { root, signal: new AbortController().signal, approve: approveAll } as ToolContext, 300));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(output).toMatch(/^\[Search for \/hit\/ in the workspace timed out after 0.3 s\. Use a simpler pattern/);
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(process.cpuUsage(cpu).user / 1000).toBeLessThan(250);
    // An ordinary glob still filters by name at any depth, and matches its own text literally.
    await files({ "src/x.ts": "hit\n", "src/[id].ts": "hit\n" });
    expect(outputOf(await grepWithin({ pattern: "hit", glob: "*.ts" }, { root, signal: new AbortController().signal, approve: approveAll } as ToolContext))).toBe(
      "src/[id].ts:1:hit\nsrc/x.ts:1:hit",
    );
    expect(outputOf(await grepWithin({ pattern: "hit", glob: "[id].ts" }, { root, signal: new AbortController().signal, approve: approveAll } as ToolContext))).toBe("src/[id].ts:1:hit");
  });

  it("stops a runaway regex when the person presses Ctrl-C", async () => {
    await files({ "evil.txt": `${"a".repeat(40)}!\n` });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(grepWithin({ pattern: "^(a+)+$" }, { root, signal: controller.signal, approve: approveAll } as ToolContext, 60_000)).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("refuses a FIFO named as the path instead of reporting no matches", async () => {
    execFileSync("mkfifo", [join(root, "pipe")]);
    await files({ "a.txt": "foo" });
    await expect(grep({ pattern: "foo", path: "pipe" })).rejects.toThrow(
      "pipe is not a regular file (a FIFO); grep searches files and directories.",
    );
    expect(await grep({ pattern: "foo" })).toBe("a.txt:1:foo");
  });

  it("labels the call for the person", () => {
    expect(grepTool.summary?.({ pattern: "fo+", path: "src" })).toBe("grep /fo+/ src");
    expect(grepTool.summary?.({ pattern: "x", glob: "*.ts", ignore_case: true })).toBe("grep /x/i . *.ts");
  });
});
