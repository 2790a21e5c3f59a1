import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { ToolContext } from "../../src/tools/index.js";
import { listFiles, listFilesTool } from "../../src/tools/list-files.js";
import { approveAll } from "../support/approve-all.js";
import { forEachEngine } from "../support/search-engines.js";

let root: string;
let outside: string;

beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "mc-list-")));
  outside = await realpath(await mkdtemp(join(tmpdir(), "mc-outside-")));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

async function files(tree: Record<string, string>, base = root): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), content);
  }
}

function context(signal = new AbortController().signal): ToolContext {
  return { root, signal, approve: approveAll } as ToolContext;
}

const list = async (args: { path?: string; pattern?: string }, ctx = context()) => {
  const result = await listFilesTool.run(args, ctx);
  return typeof result === "string" ? result : result.output;
};

const project = {
  ".gitignore": "*.log\nbuild/\n",
  ".eslintrc.json": "{}",
  "a.ts": "",
  "b.log": "",
  "build/out.js": "",
  "src/.gitignore": "generated/\n!keep.log\n",
  "src/index.ts": "",
  "src/util.ts": "",
  "src/keep.log": "",
  "src/other.log": "",
  "src/generated/x.ts": "",
  "src/deep/nested/c.ts": "",
  ".git/HEAD": "ref: refs/heads/main",
  "node_modules/pkg/index.js": "",
  "src/node_modules/pkg/index.js": "",
};

forEachEngine("list_files", (engine) => {
  it("lists files sorted, honouring root and nested .gitignore and skipping .git and node_modules", async () => {
    await files(project);
    expect(await list({})).toBe(
      [".eslintrc.json", ".gitignore", "a.ts", "src/.gitignore", "src/deep/nested/c.ts", "src/index.ts", "src/keep.log", "src/util.ts"].join(
        "\n",
      ),
    );
  });

  it("applies the root .gitignore below a subdirectory, yet lists an ignored directory named explicitly", async () => {
    await files(project);
    expect(await list({ path: "src" })).toBe(
      ["src/.gitignore", "src/deep/nested/c.ts", "src/index.ts", "src/keep.log", "src/util.ts"].join("\n"),
    );
    expect(await list({ path: "build" })).toBe("build/out.js");
  });

  it("filters with a glob relative to path", async () => {
    await files(project);
    expect(await list({ pattern: "**/*.ts" })).toBe(["a.ts", "src/deep/nested/c.ts", "src/index.ts", "src/util.ts"].join("\n"));
    expect(await list({ path: "src", pattern: "*.ts" })).toBe("src/index.ts\nsrc/util.ts");
    expect(await list({ pattern: "**/*.?s" })).toBe(["a.ts", "src/deep/nested/c.ts", "src/index.ts", "src/util.ts"].join("\n"));
    expect(await list({ path: "src", pattern: "!**/*.ts" })).toBe(["src/.gitignore", "src/keep.log"].join("\n"));
  });

  it("lists what a glob names even when .gitignored, as rg's --glob does, but never .git or node_modules", async () => {
    await files(project);
    expect(await list({ pattern: "src/*.log" })).toBe("src/keep.log\nsrc/other.log");
    expect(await list({ pattern: "**/*.{ts,log}" })).toBe(["a.ts", "b.log", "src/deep/nested/c.ts", "src/index.ts", "src/keep.log", "src/other.log", "src/util.ts"].join("\n"));
    // A folder the glob names is entered too; files below it still have to match.
    expect(await list({ pattern: "src/**" })).toBe(
      ["src/.gitignore", "src/deep/nested/c.ts", "src/generated/x.ts", "src/index.ts", "src/keep.log", "src/other.log", "src/util.ts"].join("\n"),
    );
    expect(await list({ pattern: "*" })).toBe([".eslintrc.json", ".gitignore", "a.ts", "b.log"].join("\n"));
    expect(await list({ pattern: "**/index.js" })).toBe("No files match **/index.js in the workspace.");
  });

  it("says what is wrong with a glob rg cannot read", async () => {
    await files(project);
    const result = list({ pattern: "src/[a" });
    if (engine === "rg") await expect(result).rejects.toThrow("error parsing glob 'src/[a': unclosed character class");
    else expect(await result).toBe("No files match src/[a in the workspace.");
  });

  it("says when nothing matches, with a hint for a pattern that only looks one level deep", async () => {
    await files({ "src/a.md": "" });
    expect(await list({ pattern: "*.md" })).toBe('No files match *.md in the workspace. Use "**/*.md" to include subdirectories.');
    expect(await list({ path: "src", pattern: "**/*.ts" })).toBe("No files match **/*.ts in src.");
    await mkdir(join(root, "empty"));
    expect(await list({ path: "empty" })).toBe("No files in empty (.git, node_modules and .gitignored files are skipped).");
  });

  it("caps the listing and says how many more exist", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 1005; i++) many[`f/${String(i).padStart(4, "0")}.txt`] = "";
    await files(many);
    const lines = String(await list({})).split("\n");
    expect(lines).toHaveLength(1001);
    expect(lines[0]).toBe("f/0000.txt");
    expect(lines[999]).toBe("f/0999.txt");
    expect(lines[1000]).toBe('[Showing 1000 of 1005 files. Narrow with a deeper path or a pattern such as "**/*.ts".]');
  });

  it("does not follow symlinks, in or out of the workspace", async () => {
    await files({ "secret.txt": "s", "dir/inner.txt": "" }, outside);
    await files({ "real.txt": "" });
    await symlink(join(outside, "dir"), join(root, "out-dir"));
    await symlink(join(outside, "secret.txt"), join(root, "out-file.txt"));
    await symlink(join(root, "real.txt"), join(root, "alias.txt"));
    await symlink(root, join(root, "loop"));
    expect(await list({})).toBe("real.txt");
  });

  it("rejects paths outside the workspace and explains a missing path", async () => {
    await files({ "src/app.ts": "" });
    await expect(list({ path: "../" })).rejects.toThrow(`Path ../ resolves outside the workspace ${root}`);
    await symlink(outside, join(root, "escape"));
    await expect(list({ path: "escape" })).rejects.toThrow("resolves outside the workspace");
    await expect(list({ path: "nope" })).rejects.toThrow("nope does not exist. Call list_files without a path to see the workspace.");
    await expect(list({ path: "src/app.js" })).rejects.toThrow("src/app.js does not exist. Did you mean src/app.ts?");
  });

  it("refuses a FIFO named as the path, and leaves FIFOs out of a listing", async () => {
    await files({ "a.txt": "" });
    execFileSync("mkfifo", [join(root, "pipe")]);
    await expect(list({ path: "pipe" })).rejects.toThrow("pipe is not a regular file (a FIFO); list_files lists directories.");
    expect(await list({})).toBe("a.txt");
  });

  it("stops when the signal aborts", async () => {
    await files(project);
    const controller = new AbortController();
    controller.abort();
    await expect(list({}, context(controller.signal))).rejects.toThrow(/abort/i);
  });

  it("leaves out files the person's Read rules deny", async () => {
    await files(project);
    const readDenied = (absolute: string) => (absolute.endsWith("/src/util.ts") ? "Read(./src/util.ts)" : undefined);
    expect(await list({ path: "src" }, { ...context(), readDenied })).toBe(["src/.gitignore", "src/deep/nested/c.ts", "src/index.ts", "src/keep.log"].join("\n"));
  });
});

it("labels the call for the person", () => {
  expect(listFilesTool.summary?.({ path: "src", pattern: "**/*.ts" })).toBe("list_files src **/*.ts");
  expect(listFilesTool.summary?.({})).toBe("list_files .");
});

forEachEngine("list_files' deadline", (engine) => {
  const evil = "@(a*)*(a*)*(a*)*b*(a*)*(a*)*(a*)*c";

  it.runIf(engine === "rg")("matches any glob in linear time (rg's globs cannot backtrack)", async () => {
    await files({ [`${"a".repeat(60)}.txt`]: "", "b.txt": "" });
    expect(await listFiles({ pattern: evil }, context(), 5000)).toBe(`No files match ${evil} in the workspace. Use "**/${evil}" to include subdirectories.`);
  });

  it.runIf(engine === "no rg")("stops a glob that backtracks for ever at its deadline, and at once on Ctrl-C, leaving no core busy", async () => {
    await files({ [`${"a".repeat(60)}.txt`]: "", "b.txt": "" });
    const started = Date.now();
    // A ToolError: the registry turns it into the model's "Error: …" observation.
    await expect(listFiles({ pattern: evil }, context(), 300)).rejects.toThrow(
      `matching ${evil} in the workspace timed out after 0.3 s. Use a simpler pattern (avoid repeated extglobs such as *(a*)*(a*)) or a deeper path.`,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    const cpu = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(process.cpuUsage(cpu).user / 1000).toBeLessThan(250);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const interrupted = Date.now();
    await expect(listFiles({ pattern: evil }, context(controller.signal), 60_000)).rejects.toThrow(/abort/i);
    expect(Date.now() - interrupted).toBeLessThan(3000);
  });
});
