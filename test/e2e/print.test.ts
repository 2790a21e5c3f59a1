import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe("mini-claude --print", () => {
  it("answers a prompt argument on stdout and nothing else", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("The answer is 42.")]);
    const result = await runCli(["--print", "what is the answer?"], cliOptions(ws, fake));
    expect(result).toMatchObject({ code: 0, stdout: "The answer is 42.\n", stderr: "" });
    const [request] = fake.requests;
    expect(request.model).toBe("fake-model");
    expect(request.messages.map((m: any) => m.role)).toEqual(["system", "user"]);
    expect(request.messages[0].content).toContain(`Workspace: ${ws.root}`);
    expect(request.messages[1].content).toBe("what is the answer?");
    expect(request.tools.map((t: any) => t.function.name)).toContain("read_file");
  });

  it("reads the prompt from stdin when there is no argument", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("piped ok")]);
    const result = await runCli(["-p"], cliOptions(ws, fake, { stdin: "summarise this\n" }));
    expect(result.stdout).toBe("piped ok\n");
    expect(fake.requests[0].messages[1].content).toBe("summarise this");
  });

  it("puts piped text after the prompt argument as context", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("seen")]);
    await runCli(["-p", "explain this log"], cliOptions(ws, fake, { stdin: "ERROR line 3\n" }));
    expect(fake.requests[0].messages[1].content).toBe("explain this log\n\nERROR line 3");
  });

  it("waits a moment for slow piped context, and says so when it gives up", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("got it"), reply().text("without it")]);
    const cli = startCli(["-p", "review this"], cliOptions(ws, fake, { stdin: "open" }));
    setTimeout(() => cli.child.stdin!.end("late context\n"), 600);
    expect((await cli.done).code).toBe(0);
    expect(fake.requests[0].messages[1].content).toBe("review this\n\nlate context");
    const silent = await runCli(["-p", "hello"], cliOptions(ws, fake, { stdin: "open", timeoutMs: 8000 }));
    expect(silent.stderr).toContain("nothing arrived on stdin within 1.5 s, so it was ignored");
  });

  it("does not hang on an open stdin pipe that sends nothing", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("no wait")]);
    const started = Date.now();
    const result = await runCli(["-p", "hello"], cliOptions(ws, fake, { stdin: "open", timeoutMs: 8000 }));
    expect(result).toMatchObject({ code: 0, stdout: "no wait\n" });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("shows tool activity on stderr, keeping stdout for the answer", async () => {
    const ws = tempWorkspace({ "notes.txt": "remember the milk\n" });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "notes.txt" }), reply().text("Milk.")]);
    const result = await runCli(["-p", "what do my notes say?"], cliOptions(ws, fake));
    expect(result.stdout).toBe("Milk.\n");
    expect(result.stderr).toContain("read_file notes.txt");
    expect(result.code).toBe(0);
  });

  it("asks a server without a configured model for its first model, and explains a 404 there", async () => {
    const ws = tempWorkspace();
    const env = { MINI_CLAUDE_MODEL: undefined };
    const listed = await fakeOpenAI([reply().text("hi from the first model")], { models: ["local-coder", "other"] });
    expect(await runCli(["-p", "hi"], cliOptions(ws, listed, { env }))).toMatchObject({ code: 0 });
    expect(listed.requests[0].model).toBe("local-coder");
    const unlisted = await fakeOpenAI([], { models: null });
    const result = await runCli(["-p", "hi"], cliOptions(ws, unlisted, { env }));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `The endpoint ${unlisted.url} did not list its models (404), so no model could be chosen. Pass --model NAME or set MINI_CLAUDE_MODEL.\n`,
    );
  });

  it("exits quietly when the reader closes the pipe early", async () => {
    const ws = tempWorkspace();
    const cli = startCli(["--help"], cliOptions(ws));
    cli.child.stdout!.destroy();
    const result = await cli.done;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("exits 1 when the iteration fuse trips", async () => {
    const ws = tempWorkspace({ "a.txt": "a" });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }), reply().tool("read_file", { path: "a.txt" })]);
    const result = await runCli(["-p", "loop", "--max-iterations", "2"], cliOptions(ws, fake));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Stopped after 2 model calls (--max-iterations)");
    expect(fake.requests).toHaveLength(2);
  });

  it("exits 1 with one line on stderr when the model's final answer is empty", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("")]);
    const result = await runCli(["-p", "say nothing"], cliOptions(ws, fake));
    expect(result).toMatchObject({ code: 1, stdout: "", stderr: "The model gave no answer: its final reply was empty.\n" });
  });
});

describe("start-up and usage errors", () => {
  it("prints the version and help without configuration", async () => {
    const ws = tempWorkspace();
    const version = await runCli(["--version"], cliOptions(ws));
    expect(version).toMatchObject({ code: 0, stderr: "" });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await runCli(["--help"], cliOptions(ws));
    expect(help.stdout).toContain("mini-claude -p \"prompt\"");
  });

  it("says what to set when no endpoint is configured (exit 2)", async () => {
    const ws = tempWorkspace();
    const result = await runCli(["-p", "hi"], cliOptions(ws));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("OPENAI_API_KEY");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects unknown flags and a missing workspace with one line and exit 2", async () => {
    const ws = tempWorkspace();
    const flag = await runCli(["--frobnicate"], cliOptions(ws));
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('mini-claude: Unknown flag --frobnicate: mini-claude --help lists the flags (a prompt that starts with "-" goes after --).\n');
    const nan = await runCli(["-p", "x", "--max-iterations", "nan"], { cwd: ws.root, home: ws.home, baseURL: "http://127.0.0.1:9/v1" });
    expect(nan).toMatchObject({ code: 2, stdout: "" });
    expect(nan.stderr).toBe("mini-claude: Invalid --max-iterations: must be a whole number of model calls, 1 or more (e.g. 50)\n");
    const missing = await runCli(["-w", "nope", "-p", "x"], { cwd: ws.root, home: ws.home, baseURL: "http://127.0.0.1:9/v1" });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("is not a directory");
  });

  it("reads the user's .env in the bundled CLI, with flags first", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("from env file")]);
    writeFileSync(join(ws.home, ".env"), `OPENAI_BASE_URL=${fake.url}\nOPENAI_API_KEY=from-dotenv\nMINI_CLAUDE_MODEL=dotenv-model\n`);
    const result = await runCli(["-p", "hi", "-m", "flag-model"], {
      cwd: ws.root,
      home: ws.home,
      env: { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, MINI_CLAUDE_MODEL: undefined },
    });
    expect(result.stdout).toBe("from env file\n");
    expect(fake.requests[0].model).toBe("flag-model");
  });
});
