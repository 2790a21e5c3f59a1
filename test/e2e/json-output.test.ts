import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { error, reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";
import { validate } from "../support/json-schema.js";

const fakeOpenAI = useFakeOpenAI();
const schema = JSON.parse(readFileSync(new URL("../../schema/print-events.schema.json", import.meta.url), "utf8"));

/** Every stdout line parsed as JSON and checked against the schema; a line that is not JSON fails the test. */
function events(stdout: string): any[] {
  expect(stdout.endsWith("\n")).toBe(true);
  return stdout
    .trimEnd()
    .split("\n")
    .map((line) => {
      const event = JSON.parse(line);
      expect(validate(schema, event), line.slice(0, 300)).toEqual([]);
      return event;
    });
}

describe("--print --output-format json", () => {
  it("writes one result object for a tool round trip", async () => {
    const ws = tempWorkspace({ "notes.txt": "remember the milk\n" });
    const first = reply().tool("read_file", { path: "notes.txt" });
    first.usage = { prompt_tokens: 100, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 60 }, cost: 0.0012 } as any;
    const fake = await fakeOpenAI([first, reply().text("Milk.")]);
    const result = await runCli(["-p", "--output-format", "json", "what do my notes say?"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const [only, ...rest] = events(result.stdout);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      type: "result",
      schema_version: 2,
      is_error: false,
      reason: "completed",
      result: "Milk.",
      turns: 2,
      usage: { input_tokens: 200, output_tokens: 40, cached_input_tokens: 60 },
      cost: 0.0012,
      files_changed: [],
    });
    expect(only.session_id).toMatch(/\S/);
    expect(only.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it("reports an API error as provider_error with exit code 1, the sentence on stderr", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([error(401, "bad key")]);
    const result = await runCli(["-p", "--output-format", "json", "hi"], cliOptions(ws, fake));
    expect(result.code).toBe(1);
    const [only] = events(result.stdout);
    expect(only).toMatchObject({ type: "result", is_error: true, reason: "provider_error", result: "", turns: 1 });
    expect(only.error).toContain("401");
    expect(result.stderr).toContain("401");
    expect(only).not.toHaveProperty("cost");
    expect(only.usage).toEqual({ input_tokens: 0, output_tokens: 0 });
  });

  it("reports the fuse as max_turns", async () => {
    const ws = tempWorkspace({ "a.txt": "a\n" });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }), reply().tool("list_files", {})]);
    const result = await runCli(["-p", "--output-format", "json", "--max-iterations", "2", "loop"], cliOptions(ws, fake));
    expect(result.code).toBe(1);
    expect(events(result.stdout)).toEqual([expect.objectContaining({ type: "result", reason: "max_turns", is_error: true, turns: 2 })]);
    expect(result.stderr).toContain("Stopped after 2 model calls");
  });

  it("reports a cut answer as length, keeping the partial text", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("The first half").finish("length")]);
    const result = await runCli(["-p", "--output-format", "json", "write"], cliOptions(ws, fake));
    expect(result.code).toBe(1);
    expect(events(result.stdout)[0]).toMatchObject({ reason: "length", result: "The first half" });
  });

  it("rejects an unknown format and --output-format without --print", async () => {
    const ws = tempWorkspace();
    const bad = await runCli(["-p", "--output-format", "xml", "hi"], cliOptions(ws));
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toContain("--output-format: must be text, json or stream-json");
    const repl = await runCli(["--output-format", "json"], cliOptions(ws));
    expect(repl.stderr).toContain("--output-format applies to --print only.");
  });
});

describe("--print --output-format stream-json", () => {
  it("streams init, the model's text, each tool call and result, the file change, usage and the result", async () => {
    const ws = tempWorkspace({ "app.txt": "colour = red\n" });
    const fake = await fakeOpenAI([
      reply().text("Let me fix it.").tool("edit_file", { path: "app.txt", old_string: "red", new_string: "blue" }, "call_edit"),
      reply().tool("exec", { command: "echo hi; exit 3" }, "call_exec"),
      reply().text("Done: blue."),
    ]);
    const result = await runCli(["-p", "--yes", "--output-format", "stream-json", "make it blue"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const lines = events(result.stdout);
    expect(lines[0]).toMatchObject({ type: "init", schema_version: 2, model: "fake-model", endpoint_host: new URL(fake.url).host });
    expect(lines[0].tools).toEqual(["read_file", "write_file", "edit_file", "list_files", "grep", "exec", "web_fetch", "agent"]);
    expect(lines[0].context_window).toBeGreaterThan(0);
    const types = lines.map((l) => l.type);
    expect(types).toEqual(["init", "usage", "assistant", "tool_call", "tool_result", "file_change", "usage", "tool_call", "tool_result", "usage", "assistant", "result"]);
    expect(lines[2]).toEqual({ type: "assistant", step: 1, phase: "commentary", text: "Let me fix it." });
    expect(lines[3]).toMatchObject({ type: "tool_call", id: "call_edit", name: "edit_file", input: { path: "app.txt", old_string: "red", new_string: "blue" } });
    expect(lines[4]).toMatchObject({ type: "tool_result", id: "call_edit", ok: true });
    expect(lines[5]).toMatchObject({ type: "file_change", tool_call_id: "call_edit", path: "app.txt" });
    expect(lines[5].diff).toContain("-colour = red\n+colour = blue");
    expect(lines[8]).toMatchObject({ type: "tool_result", name: "exec", exit_code: 3, display: expect.stringMatching(/^exit 3 · /) });
    expect(lines[10]).toEqual({ type: "assistant", step: 3, phase: "final", text: "Done: blue." });
    expect(lines[11]).toMatchObject({ type: "result", reason: "completed", result: "Done: blue.", turns: 3, files_changed: ["app.txt"] });
    expect(lines[11].session_id).toBe(lines[0].session_id);
    expect(result.stderr).toBe("");
  });

  it("adds text deltas with --include-partial, and the result carries a session id that --resume accepts", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("one two three"), reply().text("again")]);
    const result = await runCli(["-p", "--output-format", "stream-json", "--include-partial", "count"], cliOptions(ws, fake));
    const lines = events(result.stdout);
    const deltas = lines.filter((l) => l.type === "text_delta").map((l) => l.text);
    expect(deltas.join("")).toBe("one two three");
    expect(deltas.length).toBeGreaterThan(1);
    const id = lines.at(-1).session_id;
    const resumed = await runCli(["-p", "--resume", id, "--output-format", "json", "more"], cliOptions(ws, fake));
    expect(events(resumed.stdout)[0]).toMatchObject({ reason: "completed", result: "again", session_id: id });
    expect(fake.requests[1].messages.map((m: any) => m.content)).toContain("one two three");
  });

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`ends with a result line on ${signal} mid-turn`, async () => {
      const ws = tempWorkspace();
      const fake = await fakeOpenAI([reply().text("partial answer that never ends").hang(3)]);
      const cli = startCli(["-p", "--output-format", "stream-json", "--include-partial", "go"], cliOptions(ws, fake));
      await cli.waitFor('"text_delta"');
      cli.child.kill(signal);
      const done = await cli.done;
      expect(done.code).toBe(130);
      const lines = events(done.stdout);
      expect(lines[0].type).toBe("init");
      expect(lines.at(-1)).toMatchObject({ type: "result", reason: "aborted", is_error: true });
      expect(lines.filter((l) => l.type === "result")).toHaveLength(1);
    });
  }

  it("a second SIGINT exits at once, still with one result line", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "trap '' INT TERM; sleep 30" }), reply().text("never")]);
    const cli = startCli(["-p", "-y", "--output-format", "json", "wait"], cliOptions(ws, fake));
    await new Promise((r) => setTimeout(r, 1500));
    cli.child.kill("SIGINT");
    cli.child.kill("SIGINT");
    const done = await cli.done;
    expect(done.code).toBe(130);
    expect(events(done.stdout)).toEqual([expect.objectContaining({ type: "result", reason: "aborted" })]);
  });

  it("reports the client's retries, then the API error, after init", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([error(500, "the server broke"), error(500, "the server broke"), error(500, "the server broke")]);
    const result = await runCli(["-p", "--output-format", "stream-json", "hi"], cliOptions(ws, fake));
    const lines = events(result.stdout);
    expect(lines.map((l) => l.type)).toEqual(["init", "retry", "retry", "result"]);
    expect(lines.filter((l) => l.type === "retry").map((l) => l.attempt)).toEqual([1, 2]);
    expect(lines[3]).toMatchObject({ reason: "provider_error", is_error: true });
    expect(result.code).toBe(1);
  });

  it("a 4 MB multibyte answer reaches a slow reader whole, in deltas and in the result, before the process exits", async () => {
    const ws = tempWorkspace();
    const word = "héllo·wörld·你好·🌍·".repeat(150);
    const answer = Array.from({ length: Math.ceil((4 * 1024 * 1024) / Buffer.byteLength(word)) }, (_, i) => `${i}${word}`).join(" ");
    expect(Buffer.byteLength(answer)).toBeGreaterThan(4 * 1024 * 1024);
    const fake = await fakeOpenAI([reply().text(answer)]);
    const cli = startCli(["-p", "--output-format", "stream-json", "--include-partial", "write a lot"], cliOptions(ws, fake, { timeoutMs: 60_000 }));
    // A reader that takes a little, then stops for a while: the pipe fills and the CLI must wait for it.
    const stdout = cli.child.stdout!;
    stdout.pause();
    const slow = setInterval(() => {
      stdout.resume();
      setImmediate(() => stdout.pause());
    }, 10);
    const done = await cli.done.finally(() => clearInterval(slow));
    expect(done.code).toBe(0);
    const lines = events(done.stdout);
    const deltas = lines.filter((l) => l.type === "text_delta").map((l) => l.text);
    expect(deltas.join("") === answer).toBe(true);
    expect(lines.find((l) => l.type === "assistant").text === answer).toBe(true);
    const result = lines.at(-1);
    expect(result.type).toBe("result");
    expect(result.result === answer).toBe(true);
  }, 90_000);
});
