import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** The real CLI against provider-shaped streams: what the person reads, and the exit code. */
describe("provider shapes through the real CLI", () => {
  it("DeepSeek thinking mode: the reasoning goes back during the turn, the person sees only a dim length, stdout only the answer", async () => {
    const ws = tempWorkspace({ "notes.txt": "buy milk\n" });
    const fake = await fakeOpenAI([
      reply().reasoning("The user wants the notes. Read notes.txt.").tool("read_file", { path: "notes.txt" }, "call_1"),
      reply().reasoning("It is a shopping list.").text("Your note says: buy milk."),
    ]);
    const result = await runCli(["-p", "what do my notes say?"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Your note says: buy milk.\n");
    expect(result.stderr).toBe("thinking… (41 chars)\n• read_file notes.txt\n  └ 1 line\nthinking… (22 chars)\n");
    const assistant = fake.requests[1].messages.find((m: any) => m.role === "assistant");
    expect(assistant).toMatchObject({ reasoning_content: "The user wants the notes. Read notes.txt.", tool_calls: [{ id: "call_1" }] });
    assertValidHistory(fake.requests[1].messages);
  });

  it("llama.cpp's in-stream `error:` line: one line with the server's message, exit 1, no empty answer", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply()
        .choices({ delta: { role: "assistant", content: null } })
        .errorLine({ code: 400, message: "the request exceeds the available context size, try increasing it", type: "exceed_context_size_error", n_ctx: 16384 }),
    ]);
    const result = await runCli(["-p", "hi"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    // The overflow teaches the window (n_ctx); a request that cannot be made to fit says so, in the server's words too.
    expect(result.stderr).toBe(
      "The conversation no longer fits the model's context window (16k tokens, from the server's overflow error): compaction freed almost nothing " +
        '(about 16k tokens needed). Run again with less (a shorter prompt or piped input, without -c or --resume), or use a model with a larger window. The server said: "the request exceeds the available context size, try increasing it".\n',
    );
  });

  it("a stream that ends with nothing in it is a failure with a clear line, not an empty success", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().choices({ delta: { role: "assistant", content: "" } })]);
    const result = await runCli(["-p", "hi"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe(
      `The endpoint ${fake.url} ended the reply without any text, tool call or finish reason. Try again; if it repeats, check the server's log.\n`,
    );
  });

  it("an answer cut by the output limit is printed, but --print says it was cut and exits 1", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Step one: install. Step two:").finish("length")]);
    const result = await runCli(["-p", "how?"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("Step one: install. Step two:\n");
    expect(result.stderr).toBe(`The answer was cut by the model's output token limit (finish_reason "length"): what was printed is incomplete.\n`);
  });

  it("in the REPL a cut answer is marked as cut, and the next request works", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Half an answer").finish("length"), reply().text("The rest.")]);
    const result = await runCli([], { cwd: ws.root, home: ws.home, baseURL: fake.url, stdin: "explain\ncontinue\n" });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`Half an answer\n[answer cut by the model's output token limit; say "continue" for the rest]\nThe rest.\n`);
    expect(fake.requests[1].messages.map((m: any) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  });

  it("--repeat-limit 0 lets identical calls through; a bad value is a usage error", async () => {
    const ws = tempWorkspace({ "a.txt": "x\n" });
    const same = () => reply().tool("read_file", { path: "a.txt" });
    const fake = await fakeOpenAI([same(), same(), same(), reply().text("ok")]);
    const result = await runCli(["-p", "--repeat-limit", "0", "read it"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result.code).toBe(0);
    expect(fake.requests[3].messages.filter((m: any) => m.role === "tool" && m.content.startsWith("Error"))).toEqual([]);
    const bad = await runCli(["-p", "hi"], { cwd: ws.root, home: ws.home, baseURL: fake.url, env: { MINI_CLAUDE_REPEAT_LIMIT: "-1" } });
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toBe("mini-claude: Invalid --repeat-limit (MINI_CLAUDE_REPEAT_LIMIT): must be a whole number, 0 (off) or more\n");
  });
});
