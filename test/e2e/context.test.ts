import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { SUMMARY_SYSTEM } from "../../src/context/summary-prompt.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { startPty, startRepl } from "../support/pty.js";
import { runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe("the context window, as the person sees it", () => {
  it("the banner and /usage say the window and where it came from", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Hi.")], { window: 16_384, props: true });
    const pty = startPty([], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    // The banner wraps at the terminal's width (at a space, whatever the temp folder's name).
    await pty.waitFor(/window\s+16k\s+from\s+\/props/);
    pty.type("hello\r");
    await pty.waitFor("Hi.");
    pty.type("/usage\r");
    await pty.waitFor(/context \d+k? \/ 16k \(\d+%\) · window from \/props/);
    await pty.quit();
    // The usage line after a reply is the server's own count of the last request plus the reply.
    expect(pty.screen()).toMatch(/Tokens: \d+k? in, 20 out\./);
  });

  it("/compact [focus] summarises now: the focus reaches the model, the person's words survive, one dim line says what happened", async () => {
    const ws = tempWorkspace({ "notes.md": "API notes: use /v2 endpoints\n" });
    const fake = await fakeOpenAI([
      reply().tool("read_file", { path: "notes.md" }),
      reply().text("The notes say to use /v2."),
      reply().text("Noted."),
      reply().text("## Goal and constraints\nSUMMARY-X: the person works on the API client."),
      reply().text("Still /v2."),
    ]);
    const stdin = "read notes.md\nremember: never touch tests/\n/compact the API notes\nwhich endpoints?\n";
    const result = await runCli([], { cwd: ws.root, home: ws.home, baseURL: fake.url, stdin });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/compacted: 5 messages → summary · \d+k? → \d+k? tokens/);
    const summaryRequest = fake.requests[3].messages;
    expect(summaryRequest[0].content).toBe(SUMMARY_SYSTEM);
    expect(summaryRequest[1].content).toContain("PERSON: read notes.md");
    expect(summaryRequest[1].content).toContain("RESULT of read_file: 1\tAPI notes: use /v2 endpoints");
    expect(summaryRequest[1].content).toMatch(/The person asked to focus the summary on: the API notes$/);
    const next = fake.requests[4].messages;
    assertValidHistory(next);
    expect(next.map((m: any) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(next[1].content).toContain("SUMMARY-X: the person works on the API client.");
    expect(next[1].content).toContain("1. read notes.md\n2. remember: never touch tests/");
    expect(next[2]).toEqual({ role: "assistant", content: "Noted." });
    expect(next[3]).toEqual({ role: "user", content: "which endpoints?" });
    expect(result.stdout).toContain("Still /v2.");
  });

  it("Ctrl-C or Esc during /compact ends the wait; the conversation stays whole and the REPL goes on", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().text("First."),
      reply().text("Second."),
      reply().text("SUMMARY never arrives").hang(0),
      reply().text("SUMMARY never arrives either").hang(0),
      reply().text("Third."),
    ]);
    const pty = await startRepl([], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    for (const [request, answer] of [["one", "First."], ["two", "Second."]]) {
      pty.type(`${request}\r`);
      await pty.waitFor(answer);
    }
    for (const key of ["\x03", "\x1b"]) {
      const asked = fake.requests.length;
      const from = pty.screen().length;
      pty.type("/compact\r");
      expect(await eventually(() => fake.requests.length > asked)).toBe(true);
      pty.type(key);
      await pty.waitFor(/Interrupted: the conversation was not compacted\.[\s\S]*mini-claude> $/, { from });
    }
    pty.type("three\r");
    await pty.waitFor("Third.");
    await pty.quit();
    const last = fake.requests.at(-1).messages;
    assertValidHistory(last);
    expect(last.filter((m: any) => m.role === "user").map((m: any) => m.content)).toEqual(["one", "two", "three"]);
  });

  it("a small first request does not wait for the window probes; they never hold up the answer or the exit", async () => {
    const ws = tempWorkspace({ "a.txt": "alpha\n" });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }), reply().text("It says alpha.")], { window: 16_384, props: true, probeDelayMs: 4000 });
    const started = Date.now();
    const result = await runCli(["-p", "what does a.txt say?"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("It says alpha.\n");
    expect(fake.requests).toHaveLength(2);
    // Sent at once, not after the probes' 1.5 s timeout; and the exit does not wait for them either.
    expect(fake.sinceFirstProbe[0]).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("Ollama: a prompt longer than num_ctx is warned about once, with how to raise it", async () => {
    const ws = tempWorkspace({ "a.txt": "a\n" });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }), reply().text("ok")], { ollama: { contextLength: 32_768 } });
    const prompt = `Summarise this log:\n${"GET /index.html 200 12ms\n".repeat(800)}`;
    const result = await runCli(["-p", prompt], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result).toMatchObject({ code: 0, stdout: "ok\n" });
    const warnings = result.stderr.split("\n").filter((line) => line.includes("Ollama cuts prompts longer than its num_ctx (4096 tokens)"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("OLLAMA_CONTEXT_LENGTH=32768 ollama serve");
    expect(warnings[0]).toContain("--context-window 4096");
  });

  it("a request that can never fit the window stops with one clear line and is not sent", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([]);
    const result = await runCli(["--context-window", "2048", "-p", "x ".repeat(20_000)], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^The conversation no longer fits the model's context window \(2k tokens, from --context-window\): .*Run again with less.*\n$/);
    expect(result.stderr).not.toContain("/clear");
    expect(fake.requests).toHaveLength(0);
  });
});
