import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { error, reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe("the REPL with piped stdin", () => {
  it("answers each line in order, carrying the conversation, and exits at the end of input", async () => {
    const ws = tempWorkspace({ "todo.txt": "buy milk\n" });
    const fake = await fakeOpenAI([
      reply().text("Hi! How can I help?"),
      reply().tool("read_file", { path: "todo.txt" }, "t1"),
      reply().text("Your todo list says: buy milk."),
    ]);
    const result = await runCli([], cliOptions(ws, fake, { stdin: "hello\n\n   \nwhat is on my todo list?\n" }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Hi! How can I help?");
    expect(result.stdout).toContain("read_file todo.txt");
    expect(result.stdout.indexOf("Hi! How can I help?")).toBeLessThan(result.stdout.indexOf("Your todo list says: buy milk."));
    const last = fake.requests[2].messages;
    expect(last.map((m: any) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "tool"]);
    expect(last[3].content).toBe("what is on my todo list?");
    assertValidHistory(last);
    expect(result.stdout).not.toMatch(/\x1b\[/);
  });

  it("keeps going after a failed turn, with a valid history", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([error(400, "context too long"), reply().text("second works")]);
    const result = await runCli([], cliOptions(ws, fake, { stdin: "first\nsecond\n" }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`The endpoint ${fake.url} answered 400: 400 context too long`);
    expect(result.stdout).toContain("second works");
    expect(fake.requests[1].messages.map((m: any) => m.content)).toContain("second");
  });

  it("handles slash commands without calling the model, and exit words", async () => {
    const ws = tempWorkspace();
    const answer = reply().text("ok");
    answer.usage = { prompt_tokens: 18000, completion_tokens: 20 };
    const fake = await fakeOpenAI([answer], { models: ["fake-model", "other-model"] });
    const result = await runCli([], {
      cwd: ws.root,
      home: ws.home,
      baseURL: fake.url,
      stdin: "/help\n/frob\n/model other-model\nhi\n/usage\n/model\nexit\nnever sent\n",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("/clear");
    // /help says how to type too: the keys, @path, !cmd, and where templates come from when there are none.
    for (const keys of ["\\+Enter, Alt+Enter    a new line", "Esc, Ctrl-C           interrupt the turn", "Ctrl-C twice, Ctrl-D  leave", "Ctrl-Z                suspend", "@path                 attach", "!cmd                  run your own shell command"]) {
      expect(result.stdout).toContain(`  ${keys}`);
    }
    expect(result.stdout).toContain("Prompt templates and skills: none here (a .md file in .claude/commands/ or the config folder's commands/ becomes /name).");
    expect(result.stdout).toContain("Unknown command /frob. Available: /help /clear /bg /hooks /model /usage /statusline /plan /context /compact /diff /reasoning /expand /approvals /permissions /mcp /rewind /undo /sandbox /init /exit (/help describes them).");
    // Counted as the banner and /usage's context line count: 18k, not 18000.
    expect(result.stdout).toContain("Tokens: 18k in, 20 out.");
    expect(result.stdout).toContain("Model: other-model");
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].model).toBe("other-model");
  });

  it("/model checks the name against the server's list: a typo is refused with the closest names", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("ok")], { models: ["qwen2.5-coder:7b", "qwen2.5-coder:32b", "llama3.1:8b"] });
    const result = await runCli([], cliOptions(ws, fake, { stdin: "/model qwen2.5-coder:7 \n/model llama3.1:8b\nhi\n" }));
    expect(result.stdout).toContain("The server lists no model qwen2.5-coder:7 (closest: qwen2.5-coder:7b); the model stays fake-model.");
    expect(result.stdout).toContain("Model set to llama3.1:8b.");
    expect(fake.requests[0].model).toBe("llama3.1:8b");
    const unlisted = await fakeOpenAI([], { models: null });
    const unchecked = await runCli([], cliOptions(ws, unlisted, { stdin: "/model anything-at-all\n/model\n" }));
    expect(unchecked.stdout).toContain("Model set to anything-at-all (not checked: the server's model list could not be fetched).");
    expect(unchecked.stdout).toContain("Model: anything-at-all");
  });

  it("/clear starts a new conversation", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("one"), reply().text("two")]);
    const result = await runCli([], cliOptions(ws, fake, { stdin: "first\n/clear\nsecond\n" }));
    expect(fake.requests[1].messages.map((m: any) => m.role)).toEqual(["system", "user"]);
    expect(result.stdout).toContain("Cleared the conversation (1 request); background jobs keep running.");
    expect(result.stdout).not.toContain("\x1b[2J");
  });
});
