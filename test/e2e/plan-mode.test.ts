import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BWRAP_PROBLEM, sandboxSuite } from "../support/bwrap.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty, startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();
const toolNames = (request: any): string[] => (request.tools ?? []).map((tool: any) => tool.function.name);
const toolAnswers = (request: any): string[] => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
const lastUser = (request: any): string => request.messages.filter((m: any) => m.role === "user").at(-1).content;
const PLAN = "## Plan\n\n1. Add `greet()` to src/a.ts.\n2. Test it in test/a.test.ts.";

describe("plan mode in --print: nothing changes and the plan is the answer", () => {
  it("write tools are not offered (a call to one is an unknown tool), a command without the sandbox is refused, and the plan is printed", async () => {
    const ws = tempWorkspace({ "a.txt": "a\n" });
    const before = readdirSync(ws.root).sort();
    const fake = await fakeOpenAI([
      reply().tool("write_file", { path: "new.txt", content: "x" }).tool("exec", { command: "echo x > f" }),
      reply().tool("exit_plan_mode", { plan: PLAN }),
    ]);
    const result = await runCli(["--permission-mode", "plan", "--sandbox", "off", "-p", "add a greeting"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${PLAN}\n`);
    expect(fake.requests).toHaveLength(2);
    for (const request of fake.requests) expect(toolNames(request)).toEqual(["read_file", "list_files", "grep", "exec", "web_fetch", "agent", "exit_plan_mode"]);
    const [write, exec] = toolAnswers(fake.requests[1]);
    expect(write).toBe('Error: unknown tool "write_file". Available tools: read_file, list_files, grep, exec, web_fetch, agent, exit_plan_mode.');
    expect(exec).toMatch(/^Error: not run: permission mode plan changes nothing, but the sandbox is off, so nothing stops this command from writing, and --print cannot ask the user\./);
    expect(exec).toContain("plan mode runs commands only inside the sandbox");
    expect(readdirSync(ws.root).sort()).toEqual(before);
  });

  it("the JSON init line names the mode; outside plan mode exit_plan_mode is neither offered nor run", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exit_plan_mode", { plan: PLAN }), reply().text("No plan needed.")]);
    const result = await runCli(["-p", "hi", "--output-format", "stream-json"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ type: "init", schema_version: 2, permission_mode: "default", tools: ["read_file", "write_file", "edit_file", "list_files", "grep", "exec", "web_fetch", "agent"] });
    expect(toolNames(fake.requests[0])).not.toContain("exit_plan_mode");
    expect(toolAnswers(fake.requests[1])[0]).toMatch(/^Error: unknown tool "exit_plan_mode"\. Available tools: read_file, write_file, edit_file/);
    expect(lines.at(-1)).toMatchObject({ type: "result", result: "No plan needed." });

    const planned = await fakeOpenAI([reply().tool("exit_plan_mode", { plan: PLAN })]);
    const json = await runCli(["--permission-mode", "plan", "-p", "plan it", "--output-format", "stream-json"], cliOptions(ws, planned));
    expect(json.code).toBe(0);
    const events = json.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: "init", permission_mode: "plan", tools: ["read_file", "list_files", "grep", "exec", "web_fetch", "agent", "exit_plan_mode"] });
    expect(events.at(-1)).toMatchObject({ type: "result", is_error: false, reason: "completed", result: PLAN, files_changed: [] });
  });

  it("a project's settings may start a session in plan mode (it only takes power away); --permission-mode wins", async () => {
    const ws = tempWorkspace({ ".claude/settings.json": JSON.stringify({ permissions: { defaultMode: "plan" } }) });
    const fake = await fakeOpenAI([reply().tool("exit_plan_mode", { plan: PLAN })]);
    const result = await runCli(["-p", "plan it", "--output-format", "stream-json"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const events = result.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: "init", permission_mode: "plan" });
    expect(toolNames(fake.requests[0])).not.toContain("write_file");
    expect(events.at(-1)).toMatchObject({ type: "result", result: PLAN });
    const flag = await fakeOpenAI([reply().text("Done.")]);
    const chosen = await runCli(["--permission-mode", "acceptEdits", "-p", "go"], cliOptions(ws, flag));
    expect(chosen.code).toBe(0);
    expect(toolNames(flag.requests[0])).toContain("write_file");
  });
});

describe.skipIf(BWRAP_PROBLEM)(sandboxSuite("plan mode's commands: the sandbox with nothing writable but the session's temp folder"), () => {
  it("exec runs unasked in --print, but its write to the workspace fails; $TMPDIR is writable", async () => {
    const ws = tempWorkspace({ "a.txt": "a\n" });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "cat a.txt; echo x > f; echo x >> a.txt; echo scratch > $TMPDIR/t && cat $TMPDIR/t" }),
      reply().tool("exit_plan_mode", { plan: PLAN }),
    ]);
    const result = await runCli(["--permission-mode", "plan", "-p", "look and plan"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${PLAN}\n`);
    const observation = toolAnswers(fake.requests[1])[0]!;
    expect(observation).toMatch(/^a$/m);
    expect(observation).toMatch(/f: Read-only file system/);
    expect(observation).toMatch(/^scratch$/m);
    expect(observation).toContain("(plan mode: nothing was writable but $TMPDIR)");
    expect(existsSync(join(ws.root, "f"))).toBe(false);
    expect(readdirSync(ws.root)).toEqual(["a.txt"]);
  });
});

const PLAN_TOOLS = ["read_file", "list_files", "grep", "exec", "web_fetch", "agent", "exit_plan_mode"];
const DEFAULT_TOOLS = ["read_file", "write_file", "edit_file", "list_files", "grep", "exec", "web_fetch", "agent"];

describe("plan mode in the REPL", () => {
  it("Shift+Tab cycles default → accept edits → plan; the plan is shown, edited in $EDITOR, then implemented: sent as the next request, back in the mode before", async () => {
    const ws = tempWorkspace({ "a.txt": "a\n" });
    const fake = await fakeOpenAI([reply().tool("exit_plan_mode", { plan: PLAN }), reply().text("Implemented.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), env: { EDITOR: "sed -i s/greet/welcome/" } });
    pty.type("\x1b[Z");
    await pty.waitFor("mini-claude (accept edits)> ");
    pty.type("\x1b[Z");
    await pty.waitFor("mini-claude (plan)> ");
    pty.type("plan a greeting\r");
    await pty.waitFor(/Add greet\(\)[^]*Implement this plan\?/);
    const shown = pty.screen().length;
    pty.type("e\r");
    await pty.waitFor(/Add welcome\(\)[^]*Implement this plan\?/, { from: shown });
    pty.type("y\r");
    await pty.waitFor("Implemented.");
    await pty.waitFor(/mini-claude \(accept edits\)> $/);
    await pty.quit();
    expect(fake.requests).toHaveLength(2);
    expect(toolNames(fake.requests[0])).toEqual(PLAN_TOOLS);
    const edited = PLAN.replace("greet", "welcome");
    expect(lastUser(fake.requests[1])).toBe(`Implement this plan:\n\n${edited}`);
    expect(toolNames(fake.requests[1])).toEqual(DEFAULT_TOOLS);
    expect(toolAnswers(fake.requests[1])).toEqual(["The user approved the plan (as the user edited it). Plan mode is over; the plan follows as their next message."]);
    expect(pty.screen()).toContain("Plan mode off (accept edits mode); the plan goes as your next request.");
  });

  it("/plan toggles it; keep planning tells the model and stays in plan mode; /usage names the mode", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exit_plan_mode", { plan: PLAN }), reply().text("Adding tests to the plan.")]);
    const stdin = ["/plan", "plan a greeting", "k", "add tests too", "/usage", "/plan", ""].join("\n");
    const result = await runCli(["--sandbox=off"], cliOptions(ws, fake, { stdin }));
    expect(result.code).toBe(0);
    expect(fake.requests).toHaveLength(2);
    for (const request of fake.requests) expect(toolNames(request)).toEqual(PLAN_TOOLS);
    expect(toolAnswers(fake.requests[1])).toEqual(["The user chose to keep planning: stay in plan mode and change nothing. Their next message says what the plan lacks."]);
    expect(lastUser(fake.requests[1])).toBe("add tests too");
    expect(result.stdout).toContain("Plan:\n## Plan");
    expect(result.stdout).toContain("Still in plan mode: say what the plan lacks.");
    const usage = result.stdout.slice(result.stdout.indexOf("Tokens:"));
    expect(usage).toMatch(/^Tokens: .*\nPlan mode: the model looks and plans, changes nothing/);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("Permission mode default. Shift+Tab switches mode (accept edits, plan).");
  });

  it("started in plan mode: the banner and prompt say so; without the sandbox a command asks every time, even under --yes", async () => {
    const ws = tempWorkspace({ "a.txt": "a\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "echo x > f" }), reply().tool("exit_plan_mode", { plan: PLAN })]);
    const pty = startPty(["--permission-mode", "plan", "--sandbox=off", "--yes"], cliOptions(ws, fake));
    await pty.waitFor(/Plan mode: the model looks and plans[^]*mini-claude \(plan\)> $/);
    pty.type("plan a greeting\r");
    // The reason wraps at the terminal's width (the one wrap rule): any space may be a line break.
    await pty.waitFor(new RegExp("Asking because permission mode plan changes nothing, but the sandbox is off, so nothing stops this command from writing\\.".replace(/ /g, "\\s+")));
    pty.type("n\r");
    await pty.waitFor("Implement this plan?");
    pty.type("k\r");
    await pty.waitFor(/Still in plan mode[^]*mini-claude \(plan\)> $/);
    await pty.quit();
    expect(existsSync(join(ws.root, "f"))).toBe(false);
    expect(toolAnswers(fake.requests[1])[0]).toMatch(/^Error: the user denied this command/);
  });
});
