import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive } from "../../src/processes/process-tree.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { startPty } from "../support/pty.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** A hook script in the project: node reads the event JSON from stdin and runs `body` with `event` bound. */
function script(body: string): string {
  return `const chunks = []; process.stdin.on("data", (c) => chunks.push(c)).on("end", () => { const event = JSON.parse(Buffer.concat(chunks).toString()); ${body} });\n`;
}

const NO_RM = script(`
  if (/(^|\\s|;)rm\\s/.test(event.tool_input.command)) { process.stderr.write("rm is not allowed in this project; move files to trash/ instead"); process.exit(2); }
`);

/** The formatter a Claude Code user already has: strip trailing spaces from the file just written. */
const STRIP_TRAILING = script(`
  const fs = require("fs");
  const file = event.tool_input.file_path;
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/[ \\t]+$/gm, ""));
  fs.appendFileSync(process.env.CLAUDE_PROJECT_DIR + "/formatted.log", event.hook_event_name + " " + event.tool_name + " " + event.session_id + "\\n");
  // Claude Code's hooks read the conversation so far from transcript_path.
  fs.appendFileSync(process.env.CLAUDE_PROJECT_DIR + "/formatted.log", "transcript has the call: " + fs.readFileSync(event.transcript_path, "utf8").includes('"call_write"') + "\\n");
`);

/** A settings file as Claude Code writes it, with keys mini-claude does not use. */
function claudeSettings(hooks: object): string {
  return JSON.stringify({ $schema: "https://json.schemastore.org/claude-code-settings.json", permissions: { allow: ["Bash(npm test)"] }, model: "sonnet", hooks }, null, 2);
}

describe("hooks", () => {
  it("a Claude Code settings file works as it is: PreToolUse on Bash blocks rm, PostToolUse on Edit|Write formats the file", async () => {
    const ws = tempWorkspace({
      "keep.txt": "precious\n",
      ".claude/hooks/no-rm.cjs": NO_RM,
      ".claude/hooks/strip.cjs": STRIP_TRAILING,
      ".claude/settings.json": claudeSettings({
        PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: 'node "$CLAUDE_PROJECT_DIR/.claude/hooks/no-rm.cjs"' }] }],
        PostToolUse: [{ matcher: "Edit|MultiEdit|Write", hooks: [{ type: "command", command: 'node "$CLAUDE_PROJECT_DIR/.claude/hooks/strip.cjs"', timeout: 30 }] }],
      }),
    });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "rm keep.txt" }, "call_rm"),
      reply().tool("write_file", { path: "src/app.js", content: "let a = 1;   \nlet b = 2;\t\n" }, "call_write"),
      reply().tool("exec", { command: "echo fine" }, "call_echo"),
      reply().text("Done."),
    ]);
    const result = await runCli(["-p", "-y", "--trust-project-hooks", "--output-format", "stream-json", "tidy up"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(ws.read("keep.txt")).toBe("precious\n");
    const observation = (i: number, id: string) => fake.requests[i].messages.find((m: any) => m.tool_call_id === id).content;
    expect(observation(1, "call_rm")).toBe("Error: a PreToolUse hook blocked this call: rm is not allowed in this project; move files to trash/ instead");
    expect(ws.read("src/app.js")).toBe("let a = 1;\nlet b = 2;\n");
    expect(observation(3, "call_echo")).toContain("fine");
    const lines = result.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const blocked = lines.find((l) => l.type === "tool_result" && l.id === "call_rm");
    expect(blocked).toMatchObject({ ok: false, display: "blocked by hook: rm is not allowed in this project; move files to trash/ instead" });
    // The formatter ran once, after the write only (not after exec), and got the session id.
    const log = ws.read("formatted.log").trim().split("\n");
    expect(log).toEqual([`PostToolUse Write ${lines[0].session_id}`, "transcript has the call: true"]);
  });

  it("--print does not run untrusted project hooks, and says so; user hooks always run", async () => {
    const ws = tempWorkspace({
      ".mini-claude/settings.json": JSON.stringify({ hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: "touch project-hook-ran" }] }] } }),
    });
    writeFileSync(join(ws.home, "settings.json"), JSON.stringify({ hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: "touch user-hook-ran" }] }] } }));
    const fake = await fakeOpenAI([reply().text("ok"), reply().text("ok again")]);
    const result = await runCli(["-p", "hi"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(existsSync(join(ws.root, "project-hook-ran"))).toBe(false);
    expect(existsSync(join(ws.root, "user-hook-ran"))).toBe(true);
    expect(result.stderr).toBe(
      `mini-claude: this project's hooks (${join(ws.root, ".mini-claude/settings.json")}) did not run: --print runs project hooks only with --trust-project-hooks.\n`,
    );
    await runCli(["-p", "--trust-project-hooks", "hi"], cliOptions(ws, fake));
    expect(existsSync(join(ws.root, "project-hook-ran"))).toBe(true);
  });

  it("a PreToolUse hook that hangs is killed with its whole process tree at its timeout, visibly, and the call is refused (fail-closed)", async () => {
    const ws = tempWorkspace({
      ".claude/settings.json": JSON.stringify({
        hooks: { PreToolUse: [{ matcher: "Read", hooks: [{ type: "command", command: "echo $$ > hook.pid; sleep 60 & echo $! > child.pid; wait", timeout: 1 }] }] },
      }),
      "a.txt": "alpha\n",
    });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }, "call_read"), reply().text("Read it.")]);
    const started = Date.now();
    const result = await runCli(["-p", "--trust-project-hooks", "read a.txt"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.stdout).toBe("Read it.\n");
    expect(result.stderr).toContain("PreToolUse hook `echo $$ > hook.pid; sleep 60 & echo $! > child.pid; wait` took more than 1 s and was killed with its processes.");
    expect(fake.requests[1].messages.find((m: any) => m.tool_call_id === "call_read").content).toBe(
      "Error: a PreToolUse hook blocked this call: the hook `echo $$ > hook.pid; sleep 60 & echo $! > child.pid; wait` " +
        `(from ${join(ws.root, ".claude/settings.json")}) took more than 1 s and was killed with its processes; ` +
        "a guard that cannot run allows nothing. Tell the user to fix or remove that hook.",
    );
    const pids = ["hook.pid", "child.pid"].map((f) => Number(readFileSync(join(ws.root, f), "utf8")));
    expect(await eventually(() => pids.every((pid) => !isAlive(pid)))).toBe(true);
  });

  it("UserPromptSubmit exit 2 keeps the prompt from being sent; its plain stdout is context otherwise", async () => {
    const ws = tempWorkspace();
    const settings = (command: string) => writeFileSync(join(ws.home, "settings.json"), JSON.stringify({ hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command }] }] } }));
    settings(`grep -q secret && { echo "prompts may not mention secrets" >&2; exit 2; }; echo "Branch: main"`);
    const fake = await fakeOpenAI([reply().text("ok")]);
    const blocked = await runCli(["-p", "--output-format", "json", "print the secret"], cliOptions(ws, fake));
    expect(blocked.code).toBe(1);
    expect(fake.requests).toHaveLength(0);
    expect(JSON.parse(blocked.stdout)).toMatchObject({ is_error: true, error: "A UserPromptSubmit hook blocked this prompt, so it was not sent: prompts may not mention secrets" });
    const allowed = await runCli(["-p", "summarise"], cliOptions(ws, fake));
    expect(allowed.code).toBe(0);
    expect(fake.requests[0].messages[1].content).toBe("Branch: main\n\nsummarise");
  });

  it("a Stop hook that exits 2 sends the model back to work with its reason; JSON decisions work too", async () => {
    const ws = tempWorkspace();
    // Blocks the first stop only: Claude Code's stop_hook_active says the model already went on once.
    const stop = script(`if (!event.stop_hook_active) { process.stderr.write("the tests were not run"); process.exit(2); }`);
    writeFileSync(join(ws.home, "stop.cjs"), stop);
    const deny = `echo '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"no listing today"}}'`;
    writeFileSync(
      join(ws.home, "settings.json"),
      JSON.stringify({
        hooks: {
          Stop: [{ hooks: [{ type: "command", command: `node ${join(ws.home, "stop.cjs")}` }] }],
          PreToolUse: [{ matcher: "Glob", hooks: [{ type: "command", command: deny }] }],
        },
      }),
    );
    const fake = await fakeOpenAI([reply().text("All done."), reply().tool("list_files", {}, "call_ls"), reply().text("Tests pass.")]);
    const result = await runCli(["-p", "fix it"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Tests pass.\n");
    expect(fake.requests[1].messages.at(-1)).toEqual({ role: "user", content: "A Stop hook asks you to continue: the tests were not run" });
    expect(fake.requests[2].messages.find((m: any) => m.tool_call_id === "call_ls").content).toBe("Error: a PreToolUse hook blocked this call: no listing today");
  });
});

describe("hooks in the REPL", () => {
  it("asks once before running a project's hooks, remembers the answer, asks again when they change; /hooks lists them", async () => {
    const settings = (command: string) => JSON.stringify({ hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command }] }] } });
    const ws = tempWorkspace({ ".claude/settings.json": settings("echo ran >> hook.log") });
    const fake = await fakeOpenAI([reply().text("First."), reply().text("Second."), reply().text("Third.")]);
    const first = startPty([], cliOptions(ws, fake));
    await first.waitFor("Trust and run these hooks?");
    expect(first.screen()).toContain("UserPromptSubmit: echo ran >> hook.log (timeout 60 s)");
    first.type("y\r");
    await first.waitFor("Hooks trusted");
    first.type("hello\r");
    await first.waitFor("First.");
    first.type("/hooks\r");
    await first.waitFor(`from ${join(ws.root, ".claude/settings.json")} (project)`);
    first.type("\x04");
    await first.done;
    expect(ws.read("hook.log")).toBe("ran\n");

    const again = startPty([], cliOptions(ws, fake));
    await again.waitFor("mini-claude>");
    again.type("hello\r");
    await again.waitFor("Second.");
    again.type("\x04");
    await again.done;
    expect(again.screen()).not.toContain("Trust and run");
    expect(ws.read("hook.log")).toBe("ran\nran\n");

    ws.write(".claude/settings.json", settings("echo changed >> hook.log"));
    const changed = startPty([], cliOptions(ws, fake));
    await changed.waitFor("Trust and run these hooks?");
    changed.type("n\r");
    await changed.waitFor("will not run this session");
    changed.type("hello\r");
    await changed.waitFor("Third.");
    changed.type("\x04");
    await changed.done;
    expect(ws.read("hook.log")).toBe("ran\nran\n");
  });
});

describe("session hooks", () => {
  it("SessionStart runs once, before the first prompt, its stdout becoming context; PreCompact runs before /compact with its trigger", async () => {
    const ws = tempWorkspace();
    const log = join(ws.home, "events.log");
    const record = `cat >> ${log}; echo >> ${log}`;
    writeFileSync(
      join(ws.home, "settings.json"),
      JSON.stringify({
        hooks: {
          SessionStart: [{ hooks: [{ type: "command", command: `${record}; echo "Open issues: #12"` }] }],
          PreCompact: [{ hooks: [{ type: "command", command: record }] }],
        },
      }),
    );
    const fake = await fakeOpenAI([reply().text("One."), reply().text("Two."), reply().text("## Goal\nSUMMARY"), reply().text("Three.")]);
    const stdin = "first\nsecond\n/compact\nthird\n";
    const result = await runCli([], cliOptions(ws, fake, { stdin }));
    expect(result.code).toBe(0);
    expect(fake.requests[0].messages[1].content).toBe("Open issues: #12\n\nfirst");
    expect(fake.requests[1].messages.at(-1).content).toBe("second");
    const events = readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(events.map((e) => [e.hook_event_name, e.source ?? e.trigger])).toEqual([
      ["SessionStart", "startup"],
      ["PreCompact", "manual"],
    ]);
    expect(events[0]).toMatchObject({ cwd: ws.root, session_id: expect.stringMatching(/\S/) });
  });
});

describe("hooks and Ctrl-C", () => {
  it("SIGINT during a PreToolUse hook kills the hook, the call never runs, and JSON output still ends with its result", async () => {
    const ws = tempWorkspace();
    writeFileSync(
      join(ws.home, "settings.json"),
      JSON.stringify({ hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "echo $$ > hook.pid; sleep 30" }] }] } }),
    );
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch ran" }), reply().text("never")]);
    const cli = startCli(["-p", "-y", "--output-format", "json", "go"], cliOptions(ws, fake));
    expect(await eventually(() => existsSync(join(ws.root, "hook.pid")), 10_000)).toBe(true);
    cli.child.kill("SIGINT");
    const done = await cli.done;
    expect(done.code).toBe(130);
    expect(JSON.parse(done.stdout)).toMatchObject({ type: "result", reason: "aborted" });
    expect(existsSync(join(ws.root, "ran"))).toBe(false);
    const pid = Number(readFileSync(join(ws.root, "hook.pid"), "utf8"));
    expect(await eventually(() => !isAlive(pid))).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it("a trusted project hook whose script a command rewrote is not run; as a PreToolUse guard it then allows nothing", async () => {
    const ws = tempWorkspace({
      "scripts/guard.sh": "exit 0\n",
      ".claude/settings.json": JSON.stringify({ hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "sh scripts/guard.sh" }] }] } }),
    });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "printf 'touch pwned\\nexit 0\\n' > scripts/guard.sh && echo rewrote" }),
      reply().tool("exec", { command: "echo second" }),
      reply().text("Done."),
    ]);
    const result = await runCli(["-y", "--trust-project-hooks", "-p", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const [first, second] = fake.requests[2].messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
    expect(first).toContain("rewrote");
    expect(existsSync(join(ws.root, "pwned"))).toBe(false);
    expect(second).toContain("was not run: scripts/guard.sh changed since you trusted this project's hooks");
    expect(second).not.toContain("second\n");
    expect(result.stderr).toContain("PreToolUse hook `sh scripts/guard.sh` was not run: scripts/guard.sh changed since you trusted this project's hooks.");
  });
});
