import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BWRAP_PROBLEM, sandboxSuite } from "../support/bwrap.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
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
    for (const request of fake.requests) expect(toolNames(request)).toEqual(["read_file", "list_files", "grep", "exec", "exit_plan_mode"]);
    const [write, exec] = toolAnswers(fake.requests[1]);
    expect(write).toBe('Error: unknown tool "write_file". Available tools: read_file, list_files, grep, exec, exit_plan_mode.');
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
    expect(lines[0]).toMatchObject({ type: "init", schema_version: 2, permission_mode: "default", tools: ["read_file", "write_file", "edit_file", "list_files", "grep", "exec"] });
    expect(toolNames(fake.requests[0])).not.toContain("exit_plan_mode");
    expect(toolAnswers(fake.requests[1])[0]).toMatch(/^Error: unknown tool "exit_plan_mode"\. Available tools: read_file, write_file, edit_file/);
    expect(lines.at(-1)).toMatchObject({ type: "result", result: "No plan needed." });

    const planned = await fakeOpenAI([reply().tool("exit_plan_mode", { plan: PLAN })]);
    const json = await runCli(["--permission-mode", "plan", "-p", "plan it", "--output-format", "stream-json"], cliOptions(ws, planned));
    expect(json.code).toBe(0);
    const events = json.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({ type: "init", permission_mode: "plan", tools: ["read_file", "list_files", "grep", "exec", "exit_plan_mode"] });
    expect(events.at(-1)).toMatchObject({ type: "result", is_error: false, reason: "completed", result: PLAN, files_changed: [] });
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
