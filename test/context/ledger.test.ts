import { describe, expect, it } from "vitest";
import { previewCompaction } from "../../src/context/compact-preview.js";
import { ContextGuard, type ContextRequest } from "../../src/context/context.js";
import { measureRequest, type PromptParts } from "../../src/context/ledger.js";
import { SUMMARY_PREFIX } from "../../src/context/compaction.js";
import { joinSections } from "../../src/extend/instructions.js";
import { systemPrompt } from "../../src/extend/system-prompt.js";
import { createClient } from "../../src/model/client.js";
import type { Message } from "../../src/model/history.js";
import { readFileSync } from "node:fs";
import { jsonUsageBySource } from "../../src/terminal/json-ledger.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { validate } from "../support/json-schema.js";

const fakeOpenAI = useFakeOpenAI();

const sections = [
  { file: "AGENTS.md", text: "Run the tests with npm test.\n".repeat(20).trim() },
  { file: "src/CLAUDE.md", text: "Keep answers short." },
];
const instructions = { ...joinSections(["AGENTS.md", "src/CLAUDE.md"], sections, 8000)!, realPaths: [], skipped: [] };
const skillsListing = ["", "Skills: when a task matches one, read its file with read_file first and follow it.", "- pdf: Fill PDF forms. (.claude/skills/pdf/SKILL.md)"];
const parts: PromptParts = {
  instructions,
  skills: { text: skillsListing.join("\n"), count: 1 },
  toolGroup: (_name, description) => /\(MCP server (\w+)\)$/.exec(description)?.[1] ?? "built-in",
};
const tools = [
  { type: "function", function: { name: "read_file", description: "Read a file.", parameters: { type: "object", properties: { path: { type: "string" } } } } },
  { type: "function", function: { name: "mcp__gh__issues", description: "List issues (MCP server gh)", parameters: { type: "object" } } },
];
const call = (id: string, name: string, args: object): Message => ({ role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name, arguments: JSON.stringify(args) } }] });

function conversation(system = systemPrompt({ root: "/w", instructions, skills: skillsListing, now: new Date(0) })): Message[] {
  return [
    { role: "system", content: system },
    { role: "user", content: `${SUMMARY_PREFIX}: 4 messages were replaced]\nThe person fixed the parser.` },
    { role: "user", content: "read the app twice" },
    call("c1", "read_file", { path: "src/app.ts" }),
    { role: "tool", tool_call_id: "c1", content: "1\tconst app = 1;\n".repeat(200) },
    call("c2", "read_file", { path: "src/app.ts" }),
    { role: "tool", tool_call_id: "c2", content: "1\tconst app = 1;\n".repeat(100) },
    call("c3", "exec", { command: "npm test" }),
    { role: "tool", tool_call_id: "c3", content: "ok\n\nexit code 0 (1.0s)" },
    { role: "assistant", content: "Read it twice; the tests pass.", reasoning_content: "x".repeat(5000) } as Message,
    { role: "user", content: "thanks" },
  ];
}

const sources = (l: ReturnType<typeof measureRequest>) =>
  l.systemPrompt +
  [...l.instructions, ...(l.skills ? [l.skills] : []), ...l.toolSchemas, ...l.toolOutputs].reduce((n, item) => n + item.tokens, 0) +
  l.yourMessages +
  l.answers +
  l.summaries;

describe("the ledger of one request", () => {
  it("splits the request by source and adds up to the provider's count exactly, the cached tokens and cost as reported", () => {
    const ledger = measureRequest({ messages: conversation(), tools, usage: { inputTokens: 5000, outputTokens: 10, cachedInputTokens: 1200, cost: 0.003 } }, parts, 3);
    expect(ledger).toMatchObject({ total: 5000, countedBy: "provider", cached: 1200, cost: 0.003 });
    expect(sources(ledger)).toBe(5000);
    expect(ledger.instructions.map((item) => item.label)).toEqual(["AGENTS.md", "src/CLAUDE.md"]);
    expect(ledger.instructions[0].tokens).toBeGreaterThan(ledger.instructions[1].tokens * 10);
    expect(ledger.skills?.label).toBe("skills listing (1 skill)");
    expect(ledger.toolSchemas.map((item) => item.label)).toEqual(["built-in", "gh"]);
    expect(ledger.summaries).toBeGreaterThan(0);
    expect(ledger.toolOutputs.map((item) => item.label)).toEqual(["read_file", "exec"]);
    // Two reads of one file are one path; the biggest single item is the bigger read alone.
    expect(ledger.biggestPaths.map((item) => item.label)).toEqual(["src/app.ts", "`npm test`"]);
    expect(ledger.biggestPaths[0].tokens).toBe(ledger.toolOutputs[0].tokens);
    expect(ledger.biggestItem.label).toBe("read_file src/app.ts");
    expect(ledger.biggestItem.tokens).toBeLessThan(ledger.biggestPaths[0].tokens);
    expect(ledger.biggestItem.tokens).toBeGreaterThan(ledger.biggestPaths[0].tokens / 2);
  });

  it("without a provider count it is the estimate of the body as sent: stale reasoning is not sent, so not counted", () => {
    const messages = conversation();
    const ledger = measureRequest({ messages, tools }, parts, 3);
    const sent = messages.map((m) => (m.role === "assistant" ? { ...m, reasoning_content: undefined } : m));
    const bytes = sent.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)) + 12, 0) + Buffer.byteLength(JSON.stringify(tools));
    expect(ledger.countedBy).toBe("estimate");
    expect(Math.abs(ledger.total - bytes / 3)).toBeLessThan(2);
    expect(sources(ledger)).toBe(ledger.total);
    expect(ledger).not.toHaveProperty("cached");
  });

  it("a system prompt replaced with --system-prompt has no instructions or skills in it: all of it is the system prompt", () => {
    const ledger = measureRequest({ messages: conversation("You are terse."), tools }, parts, 3);
    expect(ledger.instructions).toEqual([]);
    expect(ledger.skills).toBeUndefined();
    expect(sources(ledger)).toBe(ledger.total);
  });

  it("an instructions block cut at its cap counts each file only as far as the prompt holds it", () => {
    const long = [{ file: "AGENTS.md", text: "a".repeat(900) }, { file: "CLAUDE.md", text: "b".repeat(900) }];
    const cut = { ...joinSections(["AGENTS.md", "CLAUDE.md"], long, 1000)!, realPaths: [], skipped: [] };
    const system = systemPrompt({ root: "/w", instructions: cut, now: new Date(0) });
    const ledger = measureRequest({ messages: [{ role: "system", content: system }], tools: [] }, { ...parts, instructions: cut, skills: undefined }, 1);
    const [agents, claude] = ledger.instructions;
    expect(agents.tokens).toBe(Buffer.byteLength("[AGENTS.md]\n") + 1 + 900);
    expect(claude.tokens).toBeLessThan(120);
  });
});

describe("usage_by_source", () => {
  it("has the ledger's numbers under /context's names, subagents beside the total, and fits the schema", () => {
    const ledger = measureRequest(
      {
        messages: [...conversation(), call("c9", "agent", { description: "find the parser", prompt: "…" }), { role: "tool", tool_call_id: "c9", content: "It is in src/parse.ts." }],
        tools,
        usage: { inputTokens: 6000, outputTokens: 5 },
      },
      parts,
      3,
    );
    ledger.subagents = [{ label: "find the parser", tokens: 4200 }];
    const json = jsonUsageBySource(ledger);
    const schema = JSON.parse(readFileSync(new URL("../../schema/print-events.schema.json", import.meta.url), "utf8"));
    const fits = (value: unknown) => validate(schema, value, schema.$defs.usage_by_source);
    expect(fits(json)).toEqual([]);
    expect(fits({ ...json, instructions: { "AGENTS.md": "12" } })).toEqual(['$.instructions.AGENTS.md: expected integer, got "12"']);
    expect(json).toMatchObject({ total: 6000, counted_by: "provider", tool_schemas: { "built-in": expect.any(Number), gh: expect.any(Number) }, subagents: { "find the parser": 4200 } });
    expect(Object.keys(json.tool_outputs)).toEqual(["read_file", "exec", "agent"]);
    expect(json.biggest_paths.map((p) => p.path)).toContain("agent: find the parser");
    const sum = json.system_prompt + json.skills + json.your_messages + json.answers + json.summaries;
    const records = [json.instructions, json.tool_schemas, json.tool_outputs].flatMap((r) => Object.values(r));
    expect(sum + records.reduce((a, b) => a + b, 0)).toBe(6000);
  });
});

describe("what /compact would free", () => {
  it("brackets what a real /compact then frees, and says nothing for a conversation of one request", async () => {
    const messages: Message[] = [{ role: "system", content: "s" }, { role: "user", content: "check every module" }];
    for (let i = 1; i <= 12; i++) messages.push(call(`c${i}`, "read_file", { path: `src/m${i}.ts` }), { role: "tool", tool_call_id: `c${i}`, content: `${i}: `.padEnd(3000, "x ") });
    messages.push({ role: "assistant", content: "All read." });
    const guard = new ContextGuard({ configured: { tokens: 32_768, source: "--context-window" }, probe: async () => undefined });
    expect(previewCompaction(messages.slice(0, 4), 32_768, guard.estimator)).toBeUndefined();

    const preview = previewCompaction(messages, 32_768, guard.estimator)!;
    expect(preview).toMatchObject({ summarised: messages.length - 2 });
    const fake = await fakeOpenAI([reply().text(`## Goal and constraints\n${"The person reads every module. ".repeat(60)}`)]);
    const client = await createClient({ baseURL: fake.url, apiKey: "x", requestTimeoutMs: 10_000, maxRetries: 0 });
    const request: ContextRequest = { client, model: "m", messages, tools: [], signal: new AbortController().signal, notify: () => undefined };
    const before = guard.estimator.estimatePart(messages);
    await guard.compactNow(request);
    const freed = before - guard.estimator.estimatePart(messages);
    expect(freed).toBeGreaterThanOrEqual(preview.freesAtLeast);
    expect(freed).toBeLessThanOrEqual(preview.freesAtMost);
    expect(preview.freesAtMost - preview.freesAtLeast).toBeLessThan(preview.summarisedTokens);
  });
});
