import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe.each([60, 120])("tool output at %i columns", (columns) => {
  it("shows a command's last output lines under it, more when it failed, and /expand shows it all", async () => {
    const ws = tempWorkspace();
    const long = "x".repeat(200);
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: `printf 'line %s\\n' 1 2 3 4 5 6 7; echo ${long}` }),
      reply().tool("exec", { command: "printf 'fail %s\\n' 1 2 3 4 5 6; exit 3" }),
      reply().text("Both ran."),
    ]);
    const pty = await startRepl(["--yes"], { ...cliOptions(ws, fake), columns });
    pty.type("run them\r");
    await pty.waitFor("Both ran.");
    pty.type("/expand\r");
    await pty.waitFor("exit code 3");
    await pty.quit();
    const screen = await pty.rendered();
    const lines = screen.split("\n");
    const first = lines.findIndex((line) => line.startsWith("• exec printf 'line"));
    expect(lines[first].length).toBeLessThanOrEqual(columns);
    expect(lines.slice(first + 1, first + 7)).toEqual([
      "  └ exit 0 · " + lines[first + 1].split(" · ")[1],
      "    … 4 more lines (/expand shows all)",
      "    line 5",
      "    line 6",
      "    line 7",
      `    ${"x".repeat(columns - 6)}…`,
    ]);
    // A failed command shows more of its output: here all six lines.
    const second = lines.findIndex((line) => line.startsWith("• exec printf 'fail"));
    expect(lines[second + 1]).toMatch(/^  └ exit 3 · /);
    expect(lines.slice(second + 2, second + 8)).toEqual(["1", "2", "3", "4", "5", "6"].map((n) => `    fail ${n}`));
    // /expand prints the last call's whole output.
    const expanded = lines.slice(lines.findIndex((line) => line.endsWith("/expand")));
    expect(expanded.join("\n")).toContain("fail 1\nfail 2\nfail 3\nfail 4\nfail 5\nfail 6\n\nexit code 3");
    expect(screen.replace(/\s+/g, " ")).toMatch(/--yes, sandbox (on|off): (commands, writes and new domains|every command and write) run/);
  });
});

describe("a long command at 60 columns", () => {
  it("shows a running timer with its latest output line while it runs", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "echo compiling-module-one; sleep 2; echo finished-all" }), reply().text("Built.")]);
    const pty = await startRepl(["--yes"], { ...cliOptions(ws, fake), columns: 60 });
    pty.type("build\r");
    await pty.waitFor(/running · compiling-module-one 1\.\ds/);
    await pty.waitFor("Built.");
    await pty.quit();
    const screen = await pty.rendered();
    // The live line is gone once the command ends; the tail stays.
    expect(screen).not.toContain("running ·");
    expect(screen).toMatch(/└ exit 0 · \d\.\ds\n    compiling-module-one\n    finished-all/);
  });
});

describe("background jobs from the REPL", () => {
  it("/bg logs N [lines] and /bg kill N; leaving says which jobs it stops", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "printf 'a\\nb\\nc\\n'; sleep 60", background: true }),
      reply().tool("exec", { command: "sleep 61", background: true }),
      reply().text("Started."),
    ]);
    const stdin = ["start them", "/bg logs 1 2", "/bg kill 1", "/bg kill 9", "exit", ""].join("\n");
    const result = await runCli(["--yes"], cliOptions(ws, fake, { stdin }));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/b\nc/);
    expect(result.stdout).not.toMatch(/^a$/m);
    expect(result.stdout).toContain("there is no background job 9");
    expect(result.stdout).toContain("Stopping background job 2: sleep 61");
    expect(result.stdout).not.toContain("Stopping background job 1");
  });
});

describe("/diff", () => {
  it("shows what this session's edits changed, from before the first edit to the file now", async () => {
    const ws = tempWorkspace({ "app.js": "const a = 1;\nconst b = 2;\n" });
    const fake = await fakeOpenAI([
      reply().tool("edit_file", { path: "app.js", old_string: "const a = 1;", new_string: "const a = 10;" }),
      reply().tool("edit_file", { path: "app.js", old_string: "const b = 2;", new_string: "const b = 20;" }),
      reply().text("Edited."),
    ]);
    const before = await runCli([], cliOptions(ws, fake, { stdin: "/diff\nexit\n" }));
    expect(before.stdout).toContain("No file changes in this session.");
    const result = await runCli([], cliOptions(ws, fake, { stdin: "change both\n/diff\nexit\n" }));
    const diff = result.stdout.slice(result.stdout.lastIndexOf("--- app.js"));
    expect(diff).toContain("-const a = 1;\n-const b = 2;\n+const a = 10;\n+const b = 20;");
  });
});

describe("many calls at once", () => {
  it("twenty reads in one reply are one line and a summary, not forty lines", async () => {
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, `file ${i}\n`]));
    const ws = tempWorkspace(files);
    const many = reply();
    for (let i = 0; i < 20; i++) many.tool("read_file", { path: `f${i}.txt` }, `call_${i}`);
    const fake = await fakeOpenAI([many, reply().text("Read them all.")]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns: 60 });
    pty.type("read everything\r");
    await pty.waitFor("Read them all.");
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toContain("• read_file f0.txt\n  └ ");
    expect(screen).toContain("  + 19 more read_file calls: f1.txt, f2.txt, f3.txt, f4.tx…\nRead them all.");
    expect(screen.match(/• read_file/g)).toHaveLength(1);
    // Every call was still answered.
    expect(fake.requests[1].messages.filter((m: any) => m.role === "tool")).toHaveLength(20);
  });
});
