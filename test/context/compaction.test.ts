import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planSummary, STUB_PREFIX, stubOldOutputs } from "../../src/context/compaction.js";
import { ContextFullError, ContextGuard, type ContextRequest } from "../../src/context/context.js";
import { describeError } from "../../src/terminal/errors.js";
import { assertValidHistory, type Message } from "../../src/model/history.js";
import { createClient } from "../../src/model/client.js";
import { streamReply } from "../../src/model/stream.js";
import { SUMMARY_SYSTEM, summaryRequest } from "../../src/context/summary-prompt.js";
import { TokenEstimator } from "../../src/context/estimate.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** One request followed by `steps` steps of one tool call each, with `bytes` of output each. */
function longTurn(steps: number, bytes: number, request = "Check every module for dead code."): Message[] {
  const messages: Message[] = [{ role: "system", content: "You are a coding agent." }, { role: "user", content: request }];
  for (let i = 1; i <= steps; i++) {
    const name = i % 3 === 0 ? "exec" : "read_file";
    const args = name === "exec" ? { command: `npm test -- part${i}` } : { path: `src/m${i}.ts` };
    messages.push({ role: "assistant", content: null, tool_calls: [{ id: `call_${i}`, type: "function", function: { name, arguments: JSON.stringify(args) } }] });
    const body = `${i}:`.padEnd(bytes, " x") + (name === "exec" ? `\n\nexit code ${i % 2} (0.1s)` : "");
    messages.push({ role: "tool", tool_call_id: `call_${i}`, content: body });
  }
  return messages;
}

describe("stage 1: old tool outputs become stubs", () => {
  it("stubs every output older than the recent part in one batch, saying how to get each one back", () => {
    const messages = longTurn(30, 2000);
    const estimator = new TokenEstimator();
    const changed = stubOldOutputs(messages, { keepRecentTokens: 3000, maxOutputTokens: 4000, estimator });
    expect(changed).toBeGreaterThan(20);
    assertValidHistory(messages);
    expect(messages[5].content).toBe(
      `${STUB_PREFIX}read_file {"path":"src/m2.ts"} removed to save context (1 line, 2.0 KB; it began "2: x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x…"). Read the file again if you need it.]`,
    );
    expect(messages[7].content).toMatch(/^\[Output of exec \{"command":"npm test -- part3"\} removed to save context \(3 lines, 2\.0 KB, exit code 1; .*Run the command again if you need it\.\]$/);
    // The latest outputs are whole, and a second pass right after changes nothing (the prefix stays the same).
    expect(messages.at(-1)!.content).toBe(longTurn(30, 2000).at(-1)!.content);
    const again = messages.map((m) => m);
    expect(stubOldOutputs(messages, { keepRecentTokens: 3000, maxOutputTokens: 4000, estimator })).toBe(0);
    expect(messages.every((m, i) => m === again[i])).toBe(true);
  });
});

describe("stage 1 on a small window: an output too big even for the recent part", () => {
  it("is cut to its share of the window, after being saved whole where the model can read it", () => {
    const ws = tempWorkspace();
    const messages = longTurn(2, 60_000);
    const original = messages.at(-1)!.content as string;
    stubOldOutputs(messages, { keepRecentTokens: 100_000, maxOutputTokens: 2000, estimator: new TokenEstimator(), spillDir: join(ws.home, "spill") });
    const cut = messages.at(-1)!.content as string;
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(2000 * 3);
    const path = /the whole output \(60000 bytes\) is saved in (\S+); page through it with read_file/.exec(cut)?.[1];
    expect(readFileSync(path!, "utf8")).toBe(original);
    assertValidHistory(messages);
  });
});

describe("stage 2: a summary replaces older steps", () => {
  it("cuts only at step boundaries, never between a call and its answer, and keeps the latest step", () => {
    const messages = longTurn(300, 400);
    const plan = planSummary(messages, 2000, new TokenEstimator())!;
    expect(messages[plan.cut].role).toBe("assistant");
    expect(plan.head.at(-1)!.role).toBe("tool");
    assertValidHistory([messages[0], ...plan.tail]);
    expect(plan.tail.at(-1)).toBe(messages.at(-1));
    expect(plan.tail.length).toBeGreaterThanOrEqual(2);
    expect(plan.head.length + plan.tail.length).toBe(messages.length - 1);
  });

  it("the summary request fits its budget even for a huge history: the middle is left out, the start kept", () => {
    const messages = longTurn(500, 5000);
    const request = summaryRequest(messages.slice(1), messages, 20_000, 300);
    const text = request[1].content as string;
    expect(Buffer.byteLength(text)).toBeLessThan(21_000);
    expect(text).toContain("PERSON: Check every module for dead code.");
    expect(text).toMatch(/\[… \d+ lines of the history left out to fit the window …\]/);
    expect(text).toContain("CALL read_file {\"path\":\"src/m500.ts\"}");
  });

  it("a single request with 300 tool calls is compacted in-process: valid history, the request quoted, the server's summary in place", async () => {
    const fake = await fakeOpenAI([reply().text("## Goal and constraints\nFind dead code."), reply().text("Done.")], { window: 16_384 });
    const client = await createClient({ baseURL: fake.url, apiKey: "x", requestTimeoutMs: 10_000, maxRetries: 0 });
    const guard = new ContextGuard({ configured: { tokens: 16_384, source: "--context-window" }, probe: async () => undefined });
    const messages = longTurn(300, 400);
    const notices: string[] = [];
    const call: ContextRequest = { client, model: "m", messages, tools: [], signal: new AbortController().signal, notify: (t) => notices.push(t) };
    const result = await guard.request(call, () => streamReply({ client, model: "m", messages, tools: [], signal: call.signal }));

    expect(result.text).toBe("Done.");
    expect(fake.requests[0].messages[0].content).toBe(SUMMARY_SYSTEM);
    expect(fake.tokens[0]).toBeLessThan(16_384);
    const sent = fake.requests[1].messages;
    assertValidHistory(sent);
    expect(sent[1].content).toContain("## Goal and constraints\nFind dead code.");
    expect(sent[1].content).toContain("1. Check every module for dead code.\nThe last of these is the latest request");
    expect(sent.at(-1).tool_call_id).toBe("call_300");
    expect(fake.tokens[1]).toBeLessThan(16_384 * 0.6);
    expect(notices).toEqual([expect.stringMatching(/^compacted: \d+ messages → summary · \d+k → \d+k tokens$/)]);
  });

  it("after the summary come the facts the harness knows: files changed, jobs running with URLs, exit codes", async () => {
    const fake = await fakeOpenAI([reply().text("## Goal and constraints\nShip it.")]);
    const client = await createClient({ baseURL: fake.url, apiKey: "x", requestTimeoutMs: 10_000, maxRetries: 0 });
    const guard = new ContextGuard({
      configured: { tokens: 32_768, source: "--context-window" },
      probe: async () => undefined,
      runningJobs: () => ["job 1 `npm run dev` at http://localhost:5173"],
    });
    const step = (id: string, name: string, args: object, result: string): Message[] => [
      { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name, arguments: JSON.stringify(args) } }] },
      { role: "tool", tool_call_id: id, content: result },
    ];
    const messages: Message[] = [
      { role: "system", content: "s" },
      { role: "user", content: "make the tests pass" },
      ...step("a", "write_file", { path: "src/a.ts", content: "x" }, "Wrote src/a.ts (1 line)."),
      ...step("b", "edit_file", { path: "src/b.ts", old_string: "q", new_string: "r" }, "Error: old_string not found in src/b.ts"),
      ...step("c", "exec", { command: "npm test" }, "1 failing\n\nexit code 1 (2.0s)"),
      ...step("d", "exec", { command: "npm run dev", background: true }, "Started background job 1"),
      { role: "assistant", content: "Still failing; looking further." },
      { role: "user", content: "keep going" },
      ...step("e", "read_file", { path: "src/c.ts" }, "1\tc"),
    ];
    const call: ContextRequest = { client, model: "m", messages, tools: [], signal: new AbortController().signal, notify: () => undefined };
    const outcome = await guard.compactNow(call, "the failing test");
    expect(outcome?.line).toMatch(/^compacted: 11 messages → summary · /);
    expect(fake.requests[0].messages[1].content).toMatch(/The person asked to focus the summary on: the failing test$/);
    assertValidHistory(messages);
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(messages[1].content).toBe(
      [
        "[Summary of the earlier conversation: 11 messages were replaced by this summary to fit the context window.]",
        "",
        "## Goal and constraints\nShip it.",
        "",
        "## Facts recorded by mini-claude",
        "- Files changed this session: src/a.ts",
        "- Background jobs still running: job 1 `npm run dev` at http://localhost:5173",
        "- Latest commands: `npm test` → exit code 1",
        "",
        "## The person's messages, word for word",
        "1. make the tests pass\n2. keep going\nThe last of these is the latest request; the messages after this summary continue from it.",
      ].join("\n"),
    );
  });

  it("a request that cannot fit even after compaction stops with a clear message and is never sent", async () => {
    const fake = await fakeOpenAI([], { window: 4096 });
    const client = await createClient({ baseURL: fake.url, apiKey: "x", requestTimeoutMs: 10_000, maxRetries: 0 });
    const guard = new ContextGuard({ configured: { tokens: 4096, source: "--context-window" }, probe: async () => undefined });
    const messages: Message[] = [{ role: "system", content: "s" }, { role: "user", content: "word ".repeat(20_000) }];
    const call: ContextRequest = { client, model: "m", messages, tools: [], signal: new AbortController().signal, notify: () => undefined };
    const sent = guard.request(call, () => streamReply({ client, model: "m", messages, tools: [], signal: call.signal }));
    await expect(sent).rejects.toThrow(ContextFullError);
    await expect(sent).rejects.toThrow(/no longer fits the model's context window \(4k tokens, from --context-window\)/);
    // What to do next is the mode's: /clear in the REPL, never in --print, where it does not exist.
    const error = await sent.catch((caught) => caught);
    expect(await describeError(error, {})).toMatch(/tokens needed\)\. Start over with \/clear, or use a model with a larger window\.$/);
    expect(await describeError(error, { print: true })).toMatch(/tokens needed\)\. Run again with less \(a shorter prompt or piped input, without -c or --resume\), or use a model with a larger window\.$/);
    expect(fake.requests).toHaveLength(0);
  });
});
