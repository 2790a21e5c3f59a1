import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI, type ReplyBuilder } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace, type TempWorkspace } from "../support/workspace.js";
import { validate } from "../support/json-schema.js";

const fakeOpenAI = useFakeOpenAI();
const schema = JSON.parse(readFileSync(new URL("../../schema/print-events.schema.json", import.meta.url), "utf8"));
const SERVER = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));

/** The keys whose numbers are sources: together they are the whole request. */
function sourcesSum(bySource: any): number {
  const values = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
  return (
    bySource.system_prompt +
    values(bySource.instructions) +
    bySource.skills +
    values(bySource.tool_schemas) +
    bySource.your_messages +
    bySource.answers +
    bySource.summaries +
    values(bySource.tool_outputs)
  );
}

/** The request's estimate from its body as the server received it: UTF-8 bytes of its JSON, 12 per message for the role markers, 3 bytes a token. */
function bodyEstimate(body: any): number {
  const bytes = body.messages.reduce((sum: number, m: any) => sum + Buffer.byteLength(JSON.stringify(m)) + 12, 0);
  return Math.ceil((bytes + Buffer.byteLength(JSON.stringify(body.tools ?? []))) / 3);
}

/** An AGENTS.md, a skill, an MCP server (the test server, by --mcp-config) and files to read. */
function project(files: Record<string, string>): { ws: TempWorkspace; args: string[] } {
  const ws = tempWorkspace({
    "AGENTS.md": "Run the tests with npm test before saying a change works.\n",
    ".claude/skills/changelog/SKILL.md": "---\nname: changelog\ndescription: Write changelog entries grouped under Added, Fixed and Changed.\n---\nUse the Keep a Changelog format.\n",
    ...files,
  });
  const config = join(ws.outside, "mcp.json");
  writeFileSync(config, JSON.stringify({ mcpServers: { test: { command: process.execPath, args: [SERVER] } } }));
  return { ws, args: ["--mcp-config", config] };
}

const withUsage = (builder: ReplyBuilder, usage: object) => {
  builder.usage = usage as ReplyBuilder["usage"];
  return builder;
};

describe("usage_by_source: where the last request's tokens went", () => {
  it("json: scaled to the provider's count, every source there, the read_file output measured close to a real tokenizer", async () => {
    const { ws, args } = project({ "big.txt": "The quick brown fox jumps over the lazy dog.\n".repeat(150) });
    const fake = await fakeOpenAI(
      [reply().tool("read_file", { path: "big.txt" }, "call_read"), withUsage(reply().text("Read it."), { prompt_tokens_details: { cached_tokens: 700 } })],
      { window: 200_000 },
    );
    const result = await runCli(["-p", ...args, "--output-format", "json", "read big.txt"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const event = JSON.parse(result.stdout);
    expect(validate(schema, event)).toEqual([]);
    const bySource = event.usage_by_source;
    expect(bySource).toMatchObject({ counted_by: "provider", total: fake.tokens.at(-1), cached: 700 });
    expect(sourcesSum(bySource)).toBe(bySource.total);
    expect(Object.keys(bySource.instructions)).toEqual(["AGENTS.md"]);
    expect(Object.keys(bySource.tool_schemas)).toEqual(["built-in", "MCP test"]);
    for (const n of [bySource.system_prompt, bySource.instructions["AGENTS.md"], bySource.skills, bySource.tool_schemas["MCP test"], bySource.your_messages, bySource.answers]) {
      expect(n).toBeGreaterThan(0);
    }
    expect(bySource.biggest_paths).toEqual([{ path: "big.txt", tokens: bySource.tool_outputs.read_file }]);
    // Measured in bytes and scaled, the big output still lands near what the tokenizer counts for it.
    const output = fake.requests[1].messages.find((m: any) => m.tool_call_id === "call_read").content;
    expect(Math.abs(bySource.tool_outputs.read_file - countTokens(output)) / countTokens(output)).toBeLessThan(0.25);
  });

  it("stream-json: every usage line carries it, and without a provider count it sums to the request's estimate within 5%", async () => {
    const { ws, args } = project({ "notes.md": "# Notes\n\nuse /v2 endpoints for everything\n".repeat(40) });
    const fake = await fakeOpenAI([withUsage(reply().tool("read_file", { path: "notes.md" }), {}), withUsage(reply().text("Use /v2."), {})]);
    const result = await runCli(["-p", ...args, "--output-format", "stream-json", "what do the notes say?"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    for (const line of lines) expect(validate(schema, line), JSON.stringify(line).slice(0, 200)).toEqual([]);
    const usage = lines.filter((line) => line.type === "usage");
    expect(usage).toHaveLength(2);
    usage.forEach((line, i) => {
      const bySource = line.usage_by_source;
      expect(bySource.counted_by).toBe("estimate");
      expect(sourcesSum(bySource)).toBe(bySource.total);
      const estimate = bodyEstimate(fake.requests[i]);
      expect(Math.abs(bySource.total - estimate) / estimate).toBeLessThan(0.05);
    });
    expect(usage[0].usage_by_source.tool_outputs).toEqual({});
    expect(usage[1].usage_by_source.tool_outputs.read_file).toBeGreaterThan(300);
    expect(lines.at(-1).usage_by_source).toEqual(usage[1].usage_by_source);
  });
});

describe("/context in the REPL", () => {
  for (const columns of [60, 120]) {
    it(`at ${columns} columns: the sources, the five biggest outputs by path, the biggest item, what /compact frees, cached tokens; every line fits`, async () => {
      const files = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`src/part-${n}-of-the-module.ts`, `export const value${n} = "${n}";\n`.repeat(n * 30)]));
      const { ws, args } = project(files);
      const readAll = reply();
      for (const n of [1, 2, 3, 4, 5, 6]) readAll.tool("read_file", { path: `src/part-${n}-of-the-module.ts` });
      const fake = await fakeOpenAI(
        [reply().text("Hello."), readAll, withUsage(reply().text("Read them all."), { prompt_tokens_details: { cached_tokens: 1200 }, cost: 0.0042 })],
        { window: 200_000 },
      );
      const pty = await startRepl(args, { ...cliOptions(ws, fake), columns });
      pty.type("hi\r");
      await pty.waitFor("Hello.");
      pty.type("read every part\r");
      await pty.waitFor("Read them all.");
      const from = pty.screen().length;
      pty.type("/context\r");
      await pty.waitFor(/window from/, { from });
      const shown = pty.screen().slice(from);
      await pty.quit();

      const total = fake.tokens.at(-1)!;
      const flat = shown.replace(/\s+/g, " ");
      expect(flat).toContain(`Last request: ${total.toLocaleString("en-US")} tokens, as the provider counted them`);
      expect(flat).toMatch(/Cached 1,200 \(\d+%\), uncached [\d,]+/);
      expect(flat).toContain("Cost $0.0042 as the provider reported it.");
      for (const source of ["System prompt", "AGENTS.md", "skills listing (1 skill)", "Tool schemas", "built-in", "MCP test", "your messages", "answers", "summaries", "Tool outputs", "read_file"]) {
        expect(shown).toContain(source);
      }
      const paths = shown.split("Biggest tool outputs by path:")[1].split("Biggest single item")[0];
      const at = [6, 5, 4, 3, 2].map((n) => paths.indexOf(`src/part-${n}-of-the-module.ts`));
      expect(at.every((i) => i >= 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(paths).not.toContain("part-1-");
      expect(flat).toMatch(/Biggest single item: read_file src\/part-6-of-the-module\.ts, [\d,]+ tokens \(\d+%\)\./);
      expect(flat).toMatch(/\/compact would free [\d,]+–[\d,]+ tokens: \d+ earlier messages \([\d,]+\) become one summary of at most [\d,]+; the latest step \([\d,]+\) is kept\./);
      const rows = await pty.rows();
      const start = rows.findIndex((row) => row.text.startsWith("Last request:"));
      expect(start).toBeGreaterThan(0);
      const report = rows.slice(start, rows.findIndex((row, i) => i > start && row.text.startsWith("context ")) + 1);
      expect(report.length).toBeGreaterThan(20);
      expect(report.filter((row) => row.wrapped || row.text.length > columns)).toEqual([]);
    });
  }
});
