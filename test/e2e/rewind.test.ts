import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const FILES = {
  "b.txt": "hello world\n",
  "c.txt": "x marks the spot\n",
  "d.txt": "doomed\n",
  // A generator as code generators are: it writes some files and removes others.
  "gen.js": `const fs = require("fs"); fs.mkdirSync("out", { recursive: true }); fs.writeFileSync("out/g1.txt", "generated\\n"); fs.unlinkSync("d.txt");`,
};

/** One --print run that changes files by every route: write_file, edit_file, and exec (sed, a generator). */
async function changeEverything(ws: ReturnType<typeof tempWorkspace>) {
  const fake = await fakeOpenAI([
    reply().tool("write_file", { path: "a.txt", content: "new file\n" }),
    reply().tool("edit_file", { path: "b.txt", old_string: "world", new_string: "there" }),
    reply().tool("exec", { command: "sed -i 's/x/y/' c.txt && node gen.js" }),
    reply().text("Changed."),
  ]);
  const result = await runCli(["--yes", "-p", "change things"], cliOptions(ws, fake));
  expect(result.code).toBe(0);
  expect(ws.read("b.txt")).toBe("hello there\n");
  expect(ws.read("c.txt")).toBe("y marks the spot\n");
  expect(existsSync(join(ws.root, "out/g1.txt"))).toBe(true);
  expect(existsSync(join(ws.root, "d.txt"))).toBe(false);
}

describe("rewind", () => {
  it("--print --rewind-last restores what file tools and shell commands changed", async () => {
    const ws = tempWorkspace(FILES);
    await changeEverything(ws);
    const undo = await runCli(["-p", "--rewind-last"], cliOptions(ws));
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain("removed a.txt");
    expect(undo.stdout).toContain("recreated d.txt");
    expect(existsSync(join(ws.root, "a.txt"))).toBe(false);
    expect(ws.read("b.txt")).toBe("hello world\n");
    expect(ws.read("c.txt")).toBe("x marks the spot\n");
    expect(ws.read("d.txt")).toBe("doomed\n");
    expect(existsSync(join(ws.root, "out/g1.txt"))).toBe(false);
    const again = await runCli(["-p", "--rewind-last"], cliOptions(ws));
    expect(again.stdout).toContain("Nothing to rewind");
  });

  it("never clobbers a file changed outside since: lists it and leaves it alone", async () => {
    const ws = tempWorkspace(FILES);
    await changeEverything(ws);
    ws.write("b.txt", "the person's own edit\n");
    const undo = await runCli(["-p", "--rewind-last"], cliOptions(ws));
    expect(undo.code).toBe(1);
    expect(undo.stdout).toContain("left alone (changed since the run): b.txt");
    expect(ws.read("b.txt")).toBe("the person's own edit\n");
    expect(ws.read("c.txt")).toBe("x marks the spot\n");
  });

  it("never writes through a symlink the path became", async () => {
    const ws = tempWorkspace(FILES);
    await changeEverything(ws);
    const { symlinkSync, unlinkSync } = await import("node:fs");
    writeFileSync(join(ws.outside, "target.txt"), "outside\n");
    unlinkSync(join(ws.root, "c.txt"));
    symlinkSync(join(ws.outside, "target.txt"), join(ws.root, "c.txt"));
    await runCli(["-p", "--rewind-last"], cliOptions(ws));
    expect(readFileSync(join(ws.outside, "target.txt"), "utf8")).toBe("outside\n");
  });

  it("/rewind lists the turns; /undo shows the diff, asks, and restores files and conversation; the history stays valid", async () => {
    const ws = tempWorkspace(FILES);
    const fake = await fakeOpenAI([
      reply().tool("edit_file", { path: "b.txt", old_string: "world", new_string: "there" }),
      reply().text("Edited."),
      reply().text("Fresh answer."),
    ]);
    const stdin = ["edit b", "/rewind", "/undo", "y", "what now?", ""].join("\n");
    const result = await runCli(["--yes"], cliOptions(ws, fake, { stdin }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  1. "edit b" — modified b.txt');
    expect(result.stdout).toContain("-hello there");
    expect(result.stdout).toContain("+hello world");
    expect(result.stdout).toContain('Restore 1 file and the conversation to before "edit b"? [y/n] ');
    expect(result.stdout).toContain('Restored 1 file and the conversation to before "edit b".');
    expect(ws.read("b.txt")).toBe("hello world\n");
    // The request after the undo has no trace of the undone turn: system, then the new question.
    const last = fake.requests[2].messages;
    expect(last.map((m: any) => m.role)).toEqual(["system", "user"]);
    expect(last[1].content).toBe("what now?");
  });

  it("storage stays under the cap: old runs are pruned", async () => {
    const ws = tempWorkspace({ "big.txt": "a".repeat(20_000) });
    for (const letter of ["b", "c", "d"]) {
      const fake = await fakeOpenAI([reply().tool("exec", { command: `printf '${letter}%.0s' $(seq 20000) > big.txt` }), reply().text("ok")]);
      await runCli(["--yes", "-p", "rewrite"], cliOptions(ws, fake, { env: { MINI_CLAUDE_REWIND_MB: "0.05" } }));
    }
    const rewindDir = join(ws.home, "rewind");
    const [key] = readdirSync(rewindDir);
    const blobs = join(rewindDir, key, "blobs");
    let total = 0;
    for (const prefix of readdirSync(blobs)) for (const name of readdirSync(join(blobs, prefix))) total += statSync(join(blobs, prefix, name)).size;
    // Without pruning four 20 KB versions (80 KB) would be kept; the cap is about 52 KB, and the last run is still undoable.
    expect(total).toBeLessThanOrEqual(0.05 * 1024 * 1024 + 20_000);
    const undo = await runCli(["-p", "--rewind-last"], cliOptions(ws));
    expect(undo.code).toBe(0);
    expect(ws.read("big.txt")).toBe("c".repeat(20_000));
  });
});
