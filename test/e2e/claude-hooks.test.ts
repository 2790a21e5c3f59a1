import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace, type TempWorkspace } from "../support/workspace.js";

/**
 * Hooks written for Claude Code, in the shapes its documentation gives, run unchanged: they read
 * `tool_name` ("Bash", "Read"), `tool_input.command` / `tool_input.file_path`, `tool_response.stdout`,
 * and answer with `hookSpecificOutput.permissionDecision` or exit code 2.
 */

const fakeOpenAI = useFakeOpenAI();

/** A node hook as people write them for Claude Code: the event from stdin as `input`, then `body`. */
function hook(body: string): string {
  return `let data = ""; process.stdin.on("data", (c) => (data += c)).on("end", () => { const input = JSON.parse(data); const allow = () => process.exit(0); ${body}\n});\n`;
}

/** The popular guard: every tool but Bash is let through at once; Bash is checked for destructive git. */
const GIT_GUARD = hook(`
  if (input.tool_name !== "Bash") allow();
  if (/git\\s+reset\\s+--hard/.test(input.tool_input.command)) {
    console.log(JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: "git reset --hard destroys uncommitted work; commit or stash first" } }));
    process.exit(0);
  }
  allow();
`);

/** The other popular one: no reading of .env files, refused with exit code 2 and the reason on stderr. */
const ENV_GUARD = hook(`
  if (input.tool_name === "Read" && /(^|\\/)\\.env$/.test(input.tool_input.file_path)) { console.error("Reading .env files is blocked by policy"); process.exit(2); }
  allow();
`);

/** Appends each event it gets to events.jsonl in the home folder (outside the workspace). */
const RECORD = hook(`require("fs").appendFileSync(process.env.EVENTS, JSON.stringify(input) + "\\n"); allow();`);

function command(ws: TempWorkspace, name: string, body: string): string {
  writeFileSync(join(ws.home, name), body);
  return `node ${join(ws.home, name)}`;
}

function userSettings(ws: TempWorkspace, hooks: object): void {
  writeFileSync(join(ws.home, "settings.json"), JSON.stringify({ hooks }));
}

function events(ws: TempWorkspace): any[] {
  const file = join(ws.home, "events.jsonl");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line)) : [];
}

const observation = (fake: { requests: any[] }, id: string) => fake.requests.flatMap((r) => r.messages).find((m: any) => m.tool_call_id === id)?.content;

describe("guard hooks written for Claude Code", () => {
  it("a tool_name === 'Bash' guard stops git reset --hard, and a Read guard stops reading .env, even with --yes", async () => {
    const ws = tempWorkspace({ "app.js": "committed\n", ".env": "API_TOKEN=sk-live-123\n", ".claude/hooks/git-guard.cjs": GIT_GUARD, ".claude/hooks/env-guard.cjs": ENV_GUARD });
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: ws.root, stdio: "ignore" });
    git("init", "-q");
    git("add", "app.js");
    git("commit", "-qm", "start");
    ws.write("app.js", "uncommitted work\n");
    ws.write(
      ".claude/settings.json",
      JSON.stringify({
        hooks: {
          PreToolUse: [
            { matcher: "*", hooks: [{ type: "command", command: 'node "$CLAUDE_PROJECT_DIR/.claude/hooks/git-guard.cjs"' }] },
            { matcher: "*", hooks: [{ type: "command", command: 'node "$CLAUDE_PROJECT_DIR/.claude/hooks/env-guard.cjs"' }] },
          ],
          SubagentStop: [{ hooks: [{ type: "command", command: "echo subagent done" }] }],
        },
      }),
    );
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "git reset --hard" }, "call_reset"),
      reply().tool("read_file", { path: ".env" }, "call_env"),
      reply().tool("exec", { command: "cat app.js" }, "call_cat"),
      reply().text("Done."),
    ]);
    const result = await runCli(["-p", "-y", "--trust-project-hooks", "clean up"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(ws.read("app.js")).toBe("uncommitted work\n");
    expect(observation(fake, "call_reset")).toBe("Error: a PreToolUse hook blocked this call: git reset --hard destroys uncommitted work; commit or stash first");
    expect(observation(fake, "call_env")).toBe("Error: a PreToolUse hook blocked this call: Reading .env files is blocked by policy");
    expect(observation(fake, "call_cat")).toContain("uncommitted work");
    expect(JSON.stringify(fake.requests)).not.toContain("sk-live-123");
    expect(result.stderr).toContain("blocked by hook: git reset --hard destroys uncommitted work");
    expect(result.stderr).toContain(`mini-claude: hooks for SubagentStop (in ${join(ws.root, ".claude/settings.json")}) do not run: mini-claude runs "command" hooks at its own events only; /hooks lists what runs.\n`);
  });

  it("updatedInput changes what runs (checked again by the tool's schema); hooks get Claude Code's fields and tool_response", async () => {
    const ws = tempWorkspace({ "notes.txt": "one\ntwo\n" });
    const rewrite = hook(`
      if (input.tool_input.command === "npm test") console.log(JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "allow", updatedInput: { command: "echo rewritten by the hook" } } }));
      if (input.tool_input.command === "echo empty") console.log(JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", updatedInput: { command: "" } } }));
      allow();
    `);
    const record = command(ws, "record.cjs", RECORD);
    userSettings(ws, {
      PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: command(ws, "rewrite.cjs", rewrite) }] }, { hooks: [{ type: "command", command: record }] }],
      PostToolUse: [{ matcher: "Bash|Read", hooks: [{ type: "command", command: record }] }],
      PostToolUseFailure: [{ hooks: [{ type: "command", command: record }] }],
    });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "npm test", timeout_ms: 5000 }, "call_test"),
      reply().tool("exec", { command: "echo empty" }, "call_empty"),
      reply().tool("read_file", { path: "notes.txt", offset: 2 }, "call_read"),
      reply().tool("read_file", { path: "missing.txt" }, "call_missing"),
      reply().text("Done."),
    ]);
    const result = await runCli(["-p", "-y", "--sandbox=off", "go"], cliOptions(ws, fake, { env: { EVENTS: join(ws.home, "events.jsonl") } }));
    expect(result.code).toBe(0);
    expect(observation(fake, "call_test")).toMatch(/^rewritten by the hook\n\nexit code 0 /);
    expect(observation(fake, "call_empty")).toMatch(/^Error: invalid arguments for exec:\ncommand: .*\n[^]*\n\(A PreToolUse hook changed this call's arguments to \{"command":""\}\.\)$/);
    const seen = events(ws);
    const [pre, post] = seen.filter((e) => e.tool_use_id === "call_test");
    expect(pre).toMatchObject({
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_input: { command: "npm test", timeout: 5000 },
      tool_use_id: "call_test",
      permission_mode: "bypassPermissions",
      cwd: ws.root,
      session_id: expect.stringMatching(/\S/),
      transcript_path: expect.stringMatching(/\.jsonl$/),
      mini_claude_tool_name: "exec",
    });
    expect(post).toMatchObject({
      hook_event_name: "PostToolUse",
      tool_input: { command: "echo rewritten by the hook" },
      tool_response: { stdout: "rewritten by the hook", stderr: "", interrupted: false, isImage: false, exit_code: 0 },
      mini_claude_tool_response: { ok: true, exit_code: 0 },
    });
    const read = seen.find((e) => e.tool_use_id === "call_read" && e.hook_event_name === "PostToolUse");
    expect(read).toMatchObject({ tool_name: "Read", tool_input: { file_path: join(ws.root, "notes.txt"), offset: 2 }, tool_response: { type: "text", file: { filePath: join(ws.root, "notes.txt"), content: "two", startLine: 2, totalLines: 2 } } });
    const failed = seen.find((e) => e.tool_use_id === "call_missing" && e.hook_event_name !== "PreToolUse");
    expect(failed).toMatchObject({ hook_event_name: "PostToolUseFailure", tool_name: "Read", error: expect.stringMatching(/^Error: .*missing\.txt/), is_interrupt: false });
  });

  it("a hook command that does not exist is a visible error; as a PreToolUse guard it refuses the call instead of allowing it", async () => {
    const ws = tempWorkspace();
    userSettings(ws, {
      PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "$HOME/hooks/no-such-guard.sh" }] }],
      PostToolUse: [{ matcher: "Write", hooks: [{ type: "command", command: "no-such-formatter --write" }] }],
    });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch ran" }, "call_touch"), reply().tool("write_file", { path: "a.txt", content: "a\n" }, "call_write"), reply().text("Done.")]);
    const result = await runCli(["-p", "-y", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(existsSync(join(ws.root, "ran"))).toBe(false);
    expect(observation(fake, "call_touch")).toMatch(
      /^Error: a PreToolUse hook blocked this call: the hook `\$HOME\/hooks\/no-such-guard\.sh` \(from .*settings\.json\) could not run \(exit 127: command not found\) \(.*no-such-guard\.sh.*\); a guard that cannot run allows nothing\./,
    );
    expect(result.stderr).toMatch(/mini-claude: PreToolUse hook `\$HOME\/hooks\/no-such-guard\.sh` could not run \(exit 127: command not found\)/);
    expect(result.stderr).toMatch(/mini-claude: PostToolUse hook `no-such-formatter --write` could not run \(exit 127: command not found\)/);
    // A broken formatter is an error line, not a refusal: the write already happened.
    expect(ws.read("a.txt")).toBe("a\n");
    expect(observation(fake, "call_write")).toMatch(/^Created a\.txt/);
  });
});

describe("permission decisions", () => {
  const askHook = hook(`
    if (input.tool_name === "Bash" && input.tool_input.command.startsWith("touch")) console.log(JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "ask", permissionDecisionReason: "touching files needs a human" } }));
    allow();
  `);

  it("ask: --print refuses (even with --yes) and tells the model a hook required approval; the REPL asks the person, and Notification hooks hear of it", async () => {
    const ws = tempWorkspace();
    const record = command(ws, "record.cjs", RECORD);
    userSettings(ws, {
      PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: command(ws, "ask.cjs", askHook) }] }],
      Notification: [{ matcher: "permission_prompt", hooks: [{ type: "command", command: record }] }],
      TeammateIdle: [{ hooks: [{ type: "command", command: "true" }] }],
    });
    const env = { EVENTS: join(ws.home, "events.jsonl") };
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch printed" }, "call_print"), reply().text("Could not."), reply().tool("exec", { command: "touch asked" }, "call_repl"), reply().text("Touched.")]);
    const printed = await runCli(["-p", "-y", "go"], cliOptions(ws, fake, { env }));
    expect(printed.code).toBe(0);
    expect(existsSync(join(ws.root, "printed"))).toBe(false);
    expect(observation(fake, "call_print")).toBe(
      "Error: a PreToolUse hook required the user's approval for this call (touching files needs a human), and it was not given: " +
        "mini-claude is running with --print, which cannot ask the user; it can run in the REPL, where the user can approve it",
    );

    // --yes does not answer it in the REPL either: the hook asked for the person.
    const pty = await startRepl(["-y"], cliOptions(ws, fake, { env }));
    pty.type("go\r");
    await pty.waitFor("Run it?");
    expect(pty.screen()).toContain("A PreToolUse hook asks you to approve this Bash call: touching files needs a human");
    expect(pty.screen()).not.toContain("[a]lways");
    pty.type("y\r");
    await pty.waitFor("Touched.");
    pty.type("/hooks\r");
    await pty.waitFor('TeammateIdle: not run (mini-claude runs "command" hooks at its own events only)');
    await pty.quit();
    expect(existsSync(join(ws.root, "asked"))).toBe(true);
    expect(events(ws)).toEqual([expect.objectContaining({ hook_event_name: "Notification", notification_type: "permission_prompt", message: "mini-claude needs your permission to use Bash" })]);
  });

  it("allow answers the call's own question but never lets it leave the sandbox; a PermissionRequest hook answers the question --print cannot ask", async () => {
    const ws = tempWorkspace();
    const allowHook = hook(`console.log(JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: input.tool_input.command.includes("allowed") ? "allow" : undefined } })); allow();`);
    const permission = hook(`
      const behavior = input.tool_input.command === "touch by-request" ? "allow" : "deny";
      console.log(JSON.stringify({ hookSpecificOutput: { hookEventName: "PermissionRequest", decision: { behavior, message: "only by-request may run" } } }));
    `);
    userSettings(ws, {
      PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: command(ws, "allow.cjs", allowHook) }] }],
      PermissionRequest: [{ matcher: "Bash", hooks: [{ type: "command", command: command(ws, "permission.cjs", permission) }] }],
    });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "touch allowed" }, "call_allowed"),
      reply().tool("exec", { command: "touch allowed-outside", sandbox: false }, "call_outside"),
      reply().tool("exec", { command: "touch by-request" }, "call_request"),
      reply().tool("exec", { command: "touch other" }, "call_other"),
      reply().text("Done."),
    ]);
    // Without a sandbox every command asks, so --print (no --yes) refuses what no hook answers.
    const result = await runCli(["-p", "--sandbox=off", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(existsSync(join(ws.root, "allowed"))).toBe(true);
    expect(existsSync(join(ws.root, "by-request"))).toBe(true);
    expect(existsSync(join(ws.root, "allowed-outside"))).toBe(false);
    expect(existsSync(join(ws.root, "other"))).toBe(false);
    expect(observation(fake, "call_outside")).toBe("Error: the user denied this command: a PermissionRequest hook refused it: only by-request may run. Do not run it again unchanged; adjust it or ask the user.");
    expect(observation(fake, "call_other")).toContain("a PermissionRequest hook refused it: only by-request may run");
  });
});

describe("SessionEnd", () => {
  it("runs when --print finishes (reason other) and when the REPL's input ends (prompt_input_exit)", async () => {
    const ws = tempWorkspace();
    userSettings(ws, { SessionEnd: [{ hooks: [{ type: "command", command: command(ws, "record.cjs", RECORD) }] }] });
    const env = { EVENTS: join(ws.home, "events.jsonl") };
    const fake = await fakeOpenAI([reply().text("One."), reply().text("Two.")]);
    expect((await runCli(["-p", "hi"], cliOptions(ws, fake, { env }))).code).toBe(0);
    expect((await runCli([], cliOptions(ws, fake, { env, stdin: "hello\n" }))).code).toBe(0);
    const ended = events(ws);
    expect(ended.map((e) => [e.hook_event_name, e.reason])).toEqual([
      ["SessionEnd", "other"],
      ["SessionEnd", "prompt_input_exit"],
    ]);
    expect(ended[0].session_id).not.toBe(ended[1].session_id);
  });

  it("runs when SIGTERM ends the REPL (process.exit, no return to main)", async () => {
    const ws = tempWorkspace();
    userSettings(ws, { SessionEnd: [{ hooks: [{ type: "command", command: command(ws, "record.cjs", RECORD) }] }] });
    const fake = await fakeOpenAI([reply().text("Listening.")]);
    const cli = startCli([], cliOptions(ws, fake, { env: { EVENTS: join(ws.home, "events.jsonl") }, stdin: "open" }));
    cli.child.stdin!.write("hello\n");
    await cli.waitFor("Listening.");
    cli.child.kill("SIGTERM");
    expect((await cli.done).code).toBe(143);
    expect(events(ws).map((e) => [e.hook_event_name, e.reason])).toEqual([["SessionEnd", "other"]]);
  });
});
