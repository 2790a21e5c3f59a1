import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { grep as grepWithin, grepTool } from "../../src/tools/grep.js";
import type { ToolContext } from "../../src/tools/index.js";
import { approveAll } from "../support/approve-all.js";
import { forEachEngine, pathWithoutRg } from "../support/search-engines.js";

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
const context = (signal = new AbortController().signal) => ({ root, signal, approve: approveAll }) as ToolContext;
const outputOf = (result: string | { output: string }) => (typeof result === "string" ? result : result.output);
const grep = async (args: Args) => outputOf(await grepTool.run(args, context()));
/** What a miss says after its first line when JavaScript's regex ran (the description names rg's). */
const NO_RG = "\n[rg is not installed, so this ran JavaScript's regex.]";

const project = {
  ".gitignore": "*.log\n",
  "src/a.ts": "const x = 1;\nfunction foo() {}\r\n// FOO again\n",
  "src/b.js": "foo();\n",
  "src/lib/.gitignore": "generated.ts\n",
  "src/lib/generated.ts": "foo",
  "src/lib/c.ts": "let y = foo;\n",
  "debug.log": "foo",
  ".hidden/h.txt": "foo bar\n",
  ".git/config": "foo",
  "node_modules/x/index.js": "foo",
  "src/node_modules/y/index.js": "foo",
};

forEachEngine("grep", (engine) => {
  const miss = engine === "rg" ? "" : NO_RG;

  it("prints file:line:text for each match in path order, with hidden files, skipping ignored files, .git and node_modules", async () => {
    await files(project);
    expect(await grep({ pattern: "fo+" })).toBe(
      [".hidden/h.txt:1:foo bar", "src/a.ts:2:function foo() {}", "src/b.js:1:foo();", "src/lib/c.ts:1:let y = foo;"].join("\n"),
    );
  });

  it("matches case-insensitively on request, and $ before a CRLF line end", async () => {
    await files(project);
    expect(await grep({ pattern: "foo", path: "src/a.ts", ignore_case: true })).toBe("src/a.ts:2:function foo() {}\nsrc/a.ts:3:// FOO again");
    expect(await grep({ pattern: "\\{\\}$", path: "src" })).toBe("src/a.ts:2:function foo() {}");
  });

  it("numbers CRLF lines right, shows a line with two hits once, and reads a last line without a newline", async () => {
    await files({ "a.txt": "needle(1) needle(2)\r\nhay\r\nhay needle(x)\r\nneedle(3)", "b.js": "const createServer = 1;\nhttp.createServer(app);\n" });
    expect(await grep({ pattern: "needle\\(\\d" })).toBe("a.txt:1:needle(1) needle(2)\na.txt:4:needle(3)");
    expect(await grep({ pattern: "createServer\\(" })).toBe("b.js:2:http.createServer(app);");
  });

  it("filters with a glob as rg does: names at any depth, paths with / below path, even .gitignored files it names", async () => {
    await files(project);
    expect(await grep({ pattern: "foo", glob: "*.ts" })).toBe("src/a.ts:2:function foo() {}\nsrc/lib/c.ts:1:let y = foo;\nsrc/lib/generated.ts:1:foo");
    expect(await grep({ pattern: "foo", path: "src", glob: "lib/c.ts" })).toBe("src/lib/c.ts:1:let y = foo;");
    expect(await grep({ pattern: "foo", glob: "*.{js,log}" })).toBe("debug.log:1:foo\nsrc/b.js:1:foo();");
    expect(await grep({ pattern: "foo", path: "src", glob: "!*.ts" })).toBe("src/b.js:1:foo();");
    // A glob never reopens what is always skipped.
    expect(await grep({ pattern: "foo", glob: "*" })).not.toMatch(/\.git\/|node_modules/);
    expect(await grep({ pattern: "foo", glob: "*.py" })).toBe(`No matches for /foo/ in the workspace (files matching *.py).${miss}`);
  });

  it("searches a file named as the path even when it is ignored", async () => {
    await files(project);
    expect(await grep({ pattern: "foo", path: "debug.log" })).toBe("debug.log:1:foo");
  });

  it("skips binary files, and says so when a file named as the path is one", async () => {
    await files({ "img.bin": Buffer.from("foo\0\x01\x02foo"), "a.txt": "foo\n" });
    expect(await grep({ pattern: "foo" })).toBe("a.txt:1:foo");
    expect(await grep({ pattern: "foo", path: "img.bin" })).toBe(`No matches for /foo/ in img.bin.\n[Skipped 1 binary file.]${miss}`);
    // rg skips a binary file unread when walking, so only the worker, which checks each, can count them.
    const skipped = engine === "rg" ? "" : "\n[Skipped 1 binary file.]";
    expect(await grep({ pattern: "absent" })).toBe(`No matches for /absent/ in the workspace.${skipped}${miss}`);
  });

  it("shows text that is not UTF-8 with replacement characters", async () => {
    await files({ "latin1.txt": Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x66, 0x6f, 0x6f, 0x0a]) });
    expect(await grep({ pattern: "foo" })).toBe("latin1.txt:1:caf\uFFFD foo");
  });

  it("turns an invalid regex into an instruction that names the dialect", async () => {
    const error = grep({ pattern: "foo(" });
    if (engine === "rg") {
      await expect(error).rejects.toThrow(/regex parse error:[\s\S]*unclosed group\nThis is ripgrep's Rust regex: escape \( \[ \{ \. \* \+ \? with a backslash/);
    } else {
      await expect(error).rejects.toThrow(
        "Invalid regular expression: /foo(/: Unterminated group. Escape regex characters such as ( [ { . * + ? with a backslash to match them literally. " +
          "(rg is not installed, so this ran JavaScript's regex.)",
      );
    }
  });

  it("runs a look-around or a backreference, which Rust's regex lacks, with PCRE2 (or JavaScript)", async () => {
    await files({ "a.txt": "foobar\nfoobaz\nabab\n" });
    expect(await grep({ pattern: "foo(?=baz)" })).toBe("a.txt:2:foobaz");
    expect(await grep({ pattern: "(ab)\\1" })).toBe("a.txt:3:abab");
  });

  it("turns an invalid glob into an observation", async () => {
    await files({ "a.txt": "foo\n" });
    if (engine === "rg") await expect(grep({ pattern: "foo", glob: "a[" })).rejects.toThrow("error parsing glob 'a[': unclosed character class");
    else expect(await grep({ pattern: "foo", glob: "a[" })).toBe(`No matches for /foo/ in the workspace (files matching a[).${miss}`);
  });

  it("reports no matches plainly", async () => {
    await files(project);
    expect(await grep({ pattern: "bar\\d", path: "src" })).toBe(`No matches for /bar\\d/ in src.${miss}`);
    expect(await grep({ pattern: "zzz", ignore_case: true })).toBe(`No matches for /zzz/i in the workspace.${miss}`);
  });

  it("caps the matches at 200 in path order and cuts long lines", async () => {
    const lines = Array.from({ length: 250 }, (_, i) => `match ${i}`);
    await files({ "many.txt": lines.join("\n"), "z-long.txt": `match ${"y".repeat(400)}` });
    const output = String(await grep({ pattern: "match" })).split("\n");
    expect(output).toHaveLength(201);
    expect(output[199]).toBe("many.txt:200:match 199");
    expect(output[200]).toBe("[Stopped after 200 matches; there are more. Narrow with path, glob or a more specific pattern.]");
    expect(await grep({ pattern: "match", path: "z-long.txt" })).toBe(`z-long.txt:1:match ${"y".repeat(294)}… [106 more characters]`);
  });

  it("keeps path order and the cap over many files, and leaves out files the person's Read rules deny", async () => {
    const name = (n: number) => `f${String(n).padStart(4, "0")}.txt`;
    await Promise.all(Array.from({ length: 1200 }, (_, n) => writeFile(join(root, name(n)), `line one\nhit ${n}\n${n % 3 === 0 ? "hit again\n" : ""}`)));
    const denied = (absolute: string) => (absolute.endsWith("f0000.txt") ? "Read(./f0000.txt)" : undefined);
    const lines = outputOf(await grepTool.run({ pattern: "hit" }, { ...context(), readDenied: denied })).split("\n");
    const expected: string[] = [];
    for (let n = 1; expected.length < 200; n++) {
      expected.push(`${name(n)}:2:hit ${n}`);
      if (n % 3 === 0 && expected.length < 200) expected.push(`${name(n)}:3:hit again`);
    }
    expect(lines.slice(0, 200)).toEqual(expected);
    expect(lines[200]).toMatch(/^\[Stopped after 200 matches; there are more\./);
  });

  it("does not follow symlinks, in or out of the workspace", async () => {
    await files({ "secret.txt": "foo", "dir/inner.txt": "foo" }, outside);
    await files({ "real.txt": "foo" });
    await symlink(join(outside, "dir"), join(root, "out-dir"));
    await symlink(join(outside, "secret.txt"), join(root, "out-file.txt"));
    await symlink(join(root, "real.txt"), join(root, "alias.txt"));
    expect(await grep({ pattern: "foo" })).toBe("real.txt:1:foo");
    await expect(grep({ pattern: "foo", path: "out-file.txt" })).rejects.toThrow("resolves outside the workspace");
  });

  it("rejects an escaping path and explains a missing one", async () => {
    await files({ "src/app.ts": "" });
    await expect(grep({ pattern: "x", path: "../etc" })).rejects.toThrow(`Path ../etc resolves outside the workspace ${root}`);
    await expect(grep({ pattern: "x", path: "src/app.js" })).rejects.toThrow("src/app.js does not exist. Did you mean src/app.ts?");
    await expect(grep({ pattern: "x", path: "nope" })).rejects.toThrow("nope does not exist. Use list_files to see which paths exist.");
  });

  it("refuses a FIFO named as the path, and passes over one in a folder", async () => {
    execFileSync("mkfifo", [join(root, "pipe")]);
    await files({ "a.txt": "foo" });
    await expect(grep({ pattern: "foo", path: "pipe" })).rejects.toThrow("pipe is not a regular file (a FIFO); grep searches files and directories.");
    expect(await grep({ pattern: "foo" })).toBe("a.txt:1:foo");
  });

  it("stops at Ctrl-C, and at the deadline with the matches found before", async () => {
    // Enough text that neither engine is done within a millisecond.
    await files({ "a.txt": "hit\n", "big.txt": "word ".repeat(400_000) + "\n" });
    await expect(grepWithin({ pattern: "hit" }, context(AbortSignal.abort()))).rejects.toThrow(/abort/i);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1);
    await expect(grepWithin({ pattern: "(\\w+\\s+){3}q" }, context(controller.signal))).rejects.toThrow(/abort/i);
    expect(outputOf(await grepWithin({ pattern: "hit|(\\w+\\s+){3}q" }, context(), 1))).toMatch(/^(a\.txt:1:hit\n)?\[Search for .* timed out after 0.001 s/);
  });
});

forEachEngine("grep's limits", (engine) => {
  it(engine === "rg" ? "searches files of any size" : "skips files over 2 MB, unread, and points to read_file", async () => {
    await files({ "big.txt": `foo\n${"x".repeat(2 * 1024 * 1024)}`, "small.txt": "foo" });
    expect(await grep({ pattern: "foo" })).toBe(engine === "rg" ? "big.txt:1:foo\nsmall.txt:1:foo" : "small.txt:1:foo\n[Skipped 1 file over 2 MB (use read_file).]");
  });

  if (engine === "rg") return;

  it("stops a regex that backtracks for ever at the deadline, keeping the matches found before, and leaves no core busy", async () => {
    await files({ "a.txt": "aaaa\n", "evil.txt": `${"a".repeat(40)}!\n`, "z.txt": "aaa\n" });
    const started = Date.now();
    // Long enough for the worker to start (run from source, tsx compiles it first) and scan a.txt.
    const output = outputOf(await grepWithin({ pattern: "^(a+)+$" }, context(), 2500));
    expect(Date.now() - started).toBeLessThan(6000);
    expect(output).toBe(
      "a.txt:1:aaaa\n[Search for /^(a+)+$/ in the workspace timed out after 2.5 s (the matches above were found before it). " +
        "Use a simpler pattern (avoid nested quantifiers such as (a+)+ or repeated extglobs such as *(a*)) or a narrower path or glob.]",
    );
    // The worker is terminated, not left spinning: this process is nearly idle afterwards.
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(process.cpuUsage(cpu).user / 1000).toBeLessThan(250);
  });

  it("stops a glob filter that backtracks for ever at the same deadline", async () => {
    await files({ "ab.txt": "hit\n", [`${"a".repeat(60)}.txt`]: "hit\n" });
    const output = outputOf(await grepWithin({ pattern: "hit", glob: "@(a*)*(a*)*(a*)*b*(a*)*(a*)*(a*)*c" }, context(), 300));
    expect(output).toMatch(/^\[Search for \/hit\/ in the workspace timed out after 0.3 s\. Use a simpler pattern/);
  });

  it("stops a runaway regex when the person presses Ctrl-C", async () => {
    await files({ "evil.txt": `${"a".repeat(40)}!\n` });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(grepWithin({ pattern: "^(a+)+$" }, context(controller.signal), 60_000)).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

it("labels the call for the person", () => {
  expect(grepTool.summary?.({ pattern: "fo+", path: "src" })).toBe("grep /fo+/ src");
  expect(grepTool.summary?.({ pattern: "x", glob: "*.ts", ignore_case: true })).toBe("grep /x/i . *.ts");
});

it("falls back to JavaScript's search when the rg on PATH cannot be run by this user", async () => {
  await files({ "a.txt": "needle\n" });
  const shadow = await realpath(await mkdtemp(join(tmpdir(), "mc-unrunnable-rg-")));
  await writeFile(join(shadow, "rg"), "#!/bin/sh\necho should not run\n", { mode: 0o644 });
  const saved = process.env.PATH;
  process.env.PATH = [shadow, pathWithoutRg()].join(delimiter);
  try {
    expect(await grep({ pattern: "needle" })).toBe("a.txt:1:needle");
  } finally {
    process.env.PATH = saved;
    await rm(shadow, { recursive: true, force: true });
  }
});
