import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();
const tools = (request: any) => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);

function settings(path: string, permissions: unknown): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, JSON.stringify({ permissions }));
}

describe("Claude Code's permission rules, with the real CLI", () => {
  it("a project's deny refuses read_file of .env even with --yes, naming the rule; grep leaves it out", async () => {
    const ws = tempWorkspace({ ".env": "API_KEY=sk-secret-123\n", "app.ts": "const key = process.env.API_KEY;\n" });
    const file = join(ws.root, ".claude/settings.json");
    settings(file, { deny: ["Read(./.env)"] });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: ".env" }), reply().tool("grep", { pattern: "API_KEY" }), reply().text("It is denied.")]);
    const result = await runCli(["--yes", "--sandbox=off", "-p", "show me the key"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(tools(fake.requests[1])[0]).toBe(`Error: not run: the permission rule "Read(./.env)" (${file}) denies it (deny wins over --yes and every allow).`);
    expect(tools(fake.requests[2])[1]).toBe("app.ts:1:const key = process.env.API_KEY;");
    expect(JSON.stringify(fake.requests)).not.toContain("sk-secret-123");
  });

  it("a deny on Bash(git reset:*) refuses the command, also inside a compound one, even with --yes", async () => {
    const ws = tempWorkspace();
    const file = join(ws.root, ".claude/settings.json");
    settings(file, { deny: ["Bash(git reset:*)"] });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch a && git reset --hard" }), reply().text("Not allowed.")]);
    const result = await runCli(["--yes", "--sandbox=off", "-p", "reset it"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(tools(fake.requests[1])[0]).toMatch(/^Error: not run: the permission rule "Bash\(git reset:\*\)" \(.*\.claude\/settings\.json\) denies it/);
    expect(existsSync(join(ws.root, "a"))).toBe(false);
  });

  it("the person's allow Bash(npm test:*) runs in --print without --yes (sandbox off); other commands are still refused", async () => {
    const ws = tempWorkspace({ "package.json": JSON.stringify({ scripts: { test: "echo tests-ran" } }) });
    settings(join(ws.home, ".claude/settings.json"), { allow: ["Bash(npm test:*)"] });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "npm test" }), reply().tool("exec", { command: "touch x" }), reply().text("Done.")]);
    const result = await runCli(["--sandbox=off", "-p", "run the tests"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const [tests, touch] = tools(fake.requests[2]);
    expect(tests).toMatch(/tests-ran[^]*exit code 0/);
    expect(touch).toMatch(/^Error: not run: the sandbox is off, so every command asks, and --print cannot ask the user\./);
    expect(existsSync(join(ws.root, "x"))).toBe(false);
  });

  it("a project's allow is not applied until the person trusts it, and --print says so", async () => {
    const ws = tempWorkspace();
    const file = join(ws.root, ".claude/settings.json");
    settings(file, { allow: ["Bash"] });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch x" }), reply().text("Refused.")]);
    const result = await runCli(["--sandbox=off", "-p", "make x"], cliOptions(ws, fake));
    expect(result.stderr).toContain(`mini-claude: this project's permissions.allow (Bash (${file})) were not applied: --print applies a project's allow rules once you trusted them in the REPL.`);
    expect(existsSync(join(ws.root, "x"))).toBe(false);
  });

  it("an ask rule asks in the REPL for what never asks (a read), and /permissions lists the rules with their files", async () => {
    const ws = tempWorkspace({ "notes.txt": "hello\n" });
    const file = join(ws.root, ".claude/settings.json");
    settings(file, { ask: ["Read(./notes.txt)"], deny: ["Bash(curl:*)", "Bash(oops"] });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "notes.txt" }), reply().text("Asked.")]);
    const result = await runCli(["--sandbox=off"], cliOptions(ws, fake, { stdin: ["read my notes", "n private", "/permissions", ""].join("\n") }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Read: ${join(ws.root, "notes.txt")} (read_file)\nAsking because the permission rule "Read(./notes.txt)" (${file}) asks every time.\nRead it? [Y]es / [n]o (add a reason): `);
    expect(tools(fake.requests[1])[0]).toBe("Error: the user refused this read: private.");
    expect(result.stdout).toContain(`deny:\n  Bash(curl:*)\n      from ${file} (project)\nask:\n  Read(./notes.txt)\n      from ${file} (project)`);
    expect(result.stderr).toContain(`${file}: permissions.deny rule "Bash(oops" ignored: not of the form Tool or Tool(specifier).`);
  });

  it("the REPL asks once to apply a project's allow rules; then they skip the question, and --print applies them too", async () => {
    const ws = tempWorkspace();
    const file = join(ws.root, ".claude/settings.json");
    settings(file, { allow: ["Bash(touch:*)"] });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch one" }), reply().text("Made one."), reply().tool("exec", { command: "touch two" }), reply().text("Made two.")]);
    const pty = startPty(["--sandbox=off"], cliOptions(ws, fake));
    await pty.waitFor("Apply them? [y]es / [n]o: ");
    expect(pty.screen()).toContain(`This project's settings allow these without asking:\n  Bash(touch:*) (${file})`);
    pty.type("y\r");
    await pty.waitFor("Applied; you will be asked again if they change.");
    pty.type("make one\r");
    await pty.waitFor("Made one.");
    pty.type("\x04");
    await pty.done;
    expect(pty.screen()).not.toContain("Run this command?");
    expect(existsSync(join(ws.root, "one"))).toBe(true);
    const printed = await runCli(["--sandbox=off", "-p", "make two"], cliOptions(ws, fake));
    expect(printed.stderr).not.toContain("were not applied");
    expect(existsSync(join(ws.root, "two"))).toBe(true);
  });
});
