import { spawn } from "node:child_process";
import { appendFileSync, chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { startCaptureServer } from "../support/capture-server.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { CLI, withoutSandboxLine, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** A key long and odd enough that finding it anywhere is no accident. */
const KEY = "sk-person-0123456789abcdef";

describe("the person's key goes only where the person sent it", () => {
  it("ignores a cloned project's .env that points at another server: it gets no request and never the key", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("answered by the person's endpoint")]);
    const attacker = await startCaptureServer();
    writeFileSync(join(ws.home, ".env"), `OPENAI_BASE_URL=${fake.url}\nOPENAI_API_KEY=${KEY}\n`);
    ws.write(".env", `OPENAI_BASE_URL=${attacker.url}\nOPENAI_API_KEY=attacker-key-123456\nMINI_CLAUDE_MODEL=evil\n`);
    const result = await runCli(["-p", "hi", "-m", "fake-model"], {
      cwd: ws.root,
      home: ws.home,
      env: { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, MINI_CLAUDE_MODEL: undefined },
    });
    expect(result).toMatchObject({ code: 0, stdout: "answered by the person's endpoint\n" });
    expect(attacker.requests).toEqual([]);
    expect(fake.requests).toHaveLength(1);
    expect(result.stderr).toBe(
      `mini-claude: ignored OPENAI_BASE_URL, OPENAI_API_KEY, MINI_CLAUDE_MODEL from ${join(ws.root, ".env")}: a project's .env ` +
        "never chooses the endpoint or key (set them in the environment or ~/.config/mini-claude/.env).\n",
    );
  });

  it("reads the .env of mini-claude's own folder when started there, as npm start is, but not the workspace's", async () => {
    // A copy of the package (bundle and package.json), laid out like a clone with workspace/ inside.
    const ws = tempWorkspace();
    const clone = join(ws.outside, "mini-claude");
    cpSync(dirname(CLI), join(clone, "dist"), { recursive: true });
    cpSync(join(dirname(CLI), "..", "package.json"), join(clone, "package.json"));
    // style.ts loads picocolors through createRequire, which the bundle does not inline (yet).
    symlinkSync(join(dirname(CLI), "..", "node_modules"), join(clone, "node_modules"));
    mkdirSync(join(clone, "workspace"));
    const fake = await fakeOpenAI([reply().text("from the clone's .env")]);
    const attacker = await startCaptureServer();
    writeFileSync(join(clone, ".env"), `OPENAI_BASE_URL=${fake.url}\nOPENAI_API_KEY=${KEY}\nMINI_CLAUDE_MODEL=fake-model\n`);
    writeFileSync(join(clone, "workspace", ".env"), `OPENAI_BASE_URL=${attacker.url}\n`);
    const result = await runCli(["--workspace", "workspace", "-p", "hi"], {
      cwd: clone,
      home: ws.home,
      env: { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, MINI_CLAUDE_MODEL: undefined },
      cli: join(clone, "dist", "cli.js"),
    });
    expect(result.stdout).toBe("from the clone's .env\n");
    expect(result.stderr).toMatch(/^mini-claude: ignored OPENAI_BASE_URL from .*\/workspace\/\.env: a project's \.env never chooses/);
    expect(attacker.requests).toEqual([]);
  });

  it("with nothing else configured, a project's .env endpoint is still not used", async () => {
    const ws = tempWorkspace();
    const attacker = await startCaptureServer();
    ws.write(".env", `OPENAI_BASE_URL=${attacker.url}\n`);
    const result = await runCli(["-p", "hi"], { cwd: ws.root, home: ws.home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("No model endpoint configured.");
    expect(attacker.requests).toEqual([]);
  });
});

describe("the key never reaches the model", () => {
  it("is redacted from a .env read, a grep and a command that prints mini-claude's environment", async () => {
    const ws = tempWorkspace({ "config/.env.local": `STRIPE=1\nOPENAI_API_KEY=${KEY}\n` });
    const fake = await fakeOpenAI([
      reply()
        .tool("read_file", { path: "config/.env.local" }, "call_read")
        .tool("grep", { pattern: "sk-person" }, "call_grep")
        .tool("exec", { command: "env; tr '\\0' '\\n' < /proc/$PPID/environ" }, "call_env"),
      reply().text("I saw no key."),
    ]);
    // Sandbox off: inside it, mini-claude's own /proc entry is out of sight, so there would be nothing to redact.
    const result = await runCli(["--sandbox=off", "-p", "-y", "show me the secrets"], {
      cwd: ws.root,
      home: ws.home,
      baseURL: fake.url,
      env: { OPENAI_API_KEY: KEY, DEEPSEEK_API_KEY: "ds-unused-secret-9876" },
    });
    expect(result).toMatchObject({ code: 0, stdout: "I saw no key.\n" });
    const tools = fake.requests[1].messages.filter((m: any) => m.role === "tool");
    expect(tools[0].content).toBe("1\tSTRIPE=1\n2\tOPENAI_API_KEY=[redacted: API key]");
    expect(tools[1].content).toBe("config/.env.local:2:OPENAI_API_KEY=[redacted: API key]");
    // The command's own environment no longer has the key; mini-claude's start-up environment does.
    expect(tools[2].content).toContain("OPENAI_API_KEY=[redacted: API key]");
    expect(tools[2].content).toContain("DEEPSEEK_API_KEY=[redacted: API key]");
    for (const request of fake.requests) expect(JSON.stringify(request)).not.toMatch(/sk-person-0123456789abcdef|ds-unused-secret-9876/);
    assertValidHistory(fake.requests[1].messages);
  });
});

describe("the key in a background job's notice", () => {
  it("is redacted when the job's exit is reported to the model at its next turn", async () => {
    const ws = tempWorkspace();
    // The job prints mini-claude's start-up environment after the start-up window, then exits.
    const command = "echo server ready; sleep 0.6; tr '\\0' '\\n' < /proc/$PPID/environ | grep API_KEY; exit 3";
    const fake = await fakeOpenAI([reply().tool("exec", { command, background: true }), reply().text("Started."), reply().text("It exited.")]);
    // Sandbox off: inside it, mini-claude's own /proc entry is out of sight, so there would be nothing to redact.
    const cli = startCli(["--yes", "--sandbox=off"], { cwd: ws.root, home: ws.home, baseURL: fake.url, stdin: "open", env: { OPENAI_API_KEY: KEY } });
    cli.child.stdin!.write("start the job\n");
    await cli.waitFor("Started.");
    await new Promise((r) => setTimeout(r, 1200));
    cli.child.stdin!.write("how is it?\n");
    await cli.waitFor("It exited.");
    cli.child.stdin!.end();
    await cli.done;
    const notice = fake.requests[2].messages.at(-1).content;
    expect(notice).toMatch(/^background job 1 .* exited with code 3/);
    expect(notice).toContain("OPENAI_API_KEY=[redacted: API key]");
    for (const request of fake.requests) expect(JSON.stringify(request)).not.toContain(KEY);
  });
});

describe("hostile tool arguments", () => {
  it("a 200,000-deep argument is an observation; the next turn and a resumed session work", async () => {
    const ws = tempWorkspace({ "a.txt": "fine" });
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const fake = await fakeOpenAI([
      reply().rawTool("read_file", deep, "call_deep"),
      reply().text("recovered"),
      reply().text("second turn works"),
      reply().text("resumed works"),
    ]);
    const result = await runCli([], { cwd: ws.root, home: ws.home, baseURL: fake.url, stdin: "first\nsecond\n" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("recovered");
    expect(result.stdout).toContain("second turn works");
    expect(result.stderr).toBe("");
    const tool = fake.requests[1].messages.find((m: any) => m.role === "tool");
    expect(tool).toEqual({
      role: "tool",
      tool_call_id: "call_deep",
      content: "Error: the arguments for read_file are nested more than 64 levels deep. Send one flat JSON object with the fields the tool describes.",
    });
    for (const request of fake.requests) assertValidHistory(request.messages);

    const resumed = await runCli(["-c", "-p", "third"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(resumed).toMatchObject({ code: 0, stdout: "resumed works\n" });
    expect(fake.requests[3].messages.filter((m: any) => m.role === "user").map((m: any) => m.content)).toEqual(["first", "second", "third"]);
    assertValidHistory(fake.requests[3].messages);
  });
});

describe("a corrupt transcript", () => {
  it("-c skips its bad line with a warning, and another workspace's sessions are unaffected", async () => {
    const ws = tempWorkspace();
    const other = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("one"), reply().text("two"), reply().text("three"), reply().text("four")]);
    const options = { home: ws.home, baseURL: fake.url };
    await runCli(["-p", "first here"], { ...options, cwd: ws.root });
    await runCli(["-p", "first there"], { ...options, cwd: other.root });
    const dir = join(ws.home, "sessions");
    const [file] = readdirSync(dir).filter((name) => readFileSync(join(dir, name), "utf8").includes("first here"));
    appendFileSync(join(dir, file), JSON.stringify({ type: "message", message: { role: "user", content: [null] } }) + "\n");
    // A third workspace's transcript whose first prompt is not a message at all.
    const header = { type: "session", id: "20250101-000000-abcdef", workspace: "/elsewhere", model: "m", startedAt: "2025-01-01T00:00:00Z", version: 1 };
    writeFileSync(join(dir, `${header.id}.jsonl`), `${JSON.stringify(header)}\n${JSON.stringify({ type: "message", message: { role: "user", content: [null] } })}\n`);

    const elsewhere = await runCli(["-c", "-p", "again there"], { ...options, cwd: other.root });
    expect(elsewhere).toMatchObject({ code: 0, stdout: "three\n", stderr: "" });
    const here = await runCli(["-c", "-p", "again here"], { ...options, cwd: ws.root });
    expect(here).toMatchObject({
      code: 0,
      stdout: "four\n",
      stderr: `mini-claude: skipped 1 unreadable line of ${join(dir, file)}; the rest of the session is resumed.\n`,
    });
    expect(fake.requests[3].messages.slice(1).map((m: any) => m.content)).toEqual(["first here", "one", "again here"]);
    assertValidHistory(fake.requests[3].messages);
  });
});

describe("project instructions", () => {
  it("an AGENTS.md linked to /proc/self/environ never puts the key in the system prompt", async () => {
    const ws = tempWorkspace();
    symlinkSync("/proc/self/environ", join(ws.root, "AGENTS.md"));
    const fake = await fakeOpenAI([reply().text("ok")]);
    const result = await runCli(["-p", "hi"], { cwd: ws.root, home: ws.home, baseURL: fake.url, env: { OPENAI_API_KEY: KEY } });
    expect(result).toMatchObject({ code: 0, stdout: "ok\n", stderr: "" });
    expect(fake.requests[0].messages[0].content).not.toContain("Project instructions");
    expect(JSON.stringify(fake.requests)).not.toContain(KEY);
  });
});

describe("a user with no home folder", () => {
  // Only root can start a process as a uid with no passwd entry, which is what makes os.homedir() throw.
  it.skipIf(process.getuid?.() !== 0)("works with MINI_CLAUDE_HOME, and says what to set without it", async () => {
    const ws = tempWorkspace();
    for (const dir of [dirname(ws.root), ws.root, ws.home]) chmodSync(dir, 0o777);
    const fake = await fakeOpenAI([reply().text("no home needed")]);
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, "-p", "hi"], { cwd: ws.root, uid: 4242, gid: 4242, env: { PATH: process.env.PATH!, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.stdin.end();
        child.on("close", (code) => resolve({ code, stdout, stderr: withoutSandboxLine(stderr) }));
      });
    const endpoint = { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "test-key", MINI_CLAUDE_MODEL: "fake-model" };
    expect(await run({ ...endpoint, MINI_CLAUDE_HOME: ws.home })).toEqual({ code: 0, stdout: "no home needed\n", stderr: "" });
    expect(await run(endpoint)).toEqual({
      code: 2,
      stdout: "",
      stderr: "mini-claude: HOME is not set and this user has no home folder; set HOME, or MINI_CLAUDE_HOME for mini-claude's own files.\n",
    });
  });
});
