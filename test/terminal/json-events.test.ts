import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION, streamEventsFor } from "../../src/terminal/json-events.js";
import { spillFooter } from "../../src/tools/spill.js";
import { validate } from "../support/json-schema.js";

const schemaText = readFileSync(new URL("../../schema/print-events.schema.json", import.meta.url), "utf8");
const schema = JSON.parse(schemaText);
const versions: Record<string, string> = JSON.parse(readFileSync(new URL("../../schema/print-events.versions.json", import.meta.url), "utf8"));

/** The shapes alone: the schema with its descriptions and version numbers left out, keys sorted. */
function shapeHash(value: unknown): string {
  const strip = (node: any): any => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(node).sort()) {
      if (key === "description" || key === "title" || key === "$id" || key === "schema_version") continue;
      out[key] = strip(node[key]);
    }
    return out;
  };
  return createHash("sha256").update(JSON.stringify(strip(value))).digest("hex");
}

describe("the --output-format event schema", () => {
  it("changes shape only with a new schema_version (schema/print-events.versions.json holds each version's shape)", () => {
    const version = String(schema.schema_version);
    expect(Number(version)).toBe(SCHEMA_VERSION);
    expect(schema.$defs.init.properties.schema_version.const).toBe(SCHEMA_VERSION);
    expect(schema.$defs.result.properties.schema_version.const).toBe(SCHEMA_VERSION);
    const hash = shapeHash(schema);
    expect(
      versions[version],
      `The event shapes changed but schema_version is still ${version}. Bump schema_version (schema file and SCHEMA_VERSION in src/terminal/json-events.ts) and add "${Number(version) + 1}": "<hash>" to schema/print-events.versions.json; this shape hashes to ${hash}.`,
    ).toBe(hash);
  });

  it("a field renamed in the schema is caught by the hash", () => {
    const renamed = JSON.parse(schemaText);
    renamed.$defs.result.properties.turn_count = renamed.$defs.result.properties.turns;
    delete renamed.$defs.result.properties.turns;
    expect(shapeHash(renamed)).not.toBe(versions[String(schema.schema_version)]);
  });

  it("every event the code writes fits the schema, spill path and exit code included", () => {
    const output = `line\n[... 9 bytes cut]${spillFooter("/data/spill/exec-1.txt", 90000)}`;
    const events = [
      ...streamEventsFor({ type: "text", delta: "héllo 🌍" }, 1, true),
      ...streamEventsFor({ type: "reasoning", delta: "hm" }, 1, true),
      ...streamEventsFor({ type: "assistant_end", text: "Looking.", toolCalls: 1 }, 1, false),
      ...streamEventsFor({ type: "tool_start", id: "c1", name: "exec", label: "exec ls", arguments: '{"command":"ls"}' }, 1, false),
      ...streamEventsFor({ type: "tool_start", id: "c2", name: "exec", label: "exec", arguments: "{not json" }, 1, false),
      ...streamEventsFor({ type: "tool_end", id: "c1", name: "exec", label: "exec ls", ok: true, output, display: "exit 0 · 0.1s", exitCode: 0 }, 1, false),
      ...streamEventsFor({ type: "tool_end", id: "c3", name: "edit_file", label: "edit_file a", ok: true, output: "Edited", display: "Edited", diff: { path: "a", before: "x\n", after: "y\n" } }, 2, false),
      ...streamEventsFor({ type: "usage", usage: { inputTokens: 10, outputTokens: 2, cachedInputTokens: 4, cost: 0.01 } }, 2, false),
      ...streamEventsFor({ type: "retry", attempt: 1 }, 2, false),
      ...streamEventsFor({ type: "notice", text: "compacted: 3 steps · 20k → 5k tokens" }, 2, false),
      ...streamEventsFor({ type: "notice", kind: "job", text: "background job 1 exited" }, 2, false),
      ...streamEventsFor({ type: "notice", text: "The reply was cut" }, 2, false),
    ];
    for (const event of events) expect(validate(schema, event), JSON.stringify(event)).toEqual([]);
    expect(events.map((e) => e.type)).toEqual([
      "text_delta",
      "reasoning_delta",
      "assistant",
      "tool_call",
      "tool_call",
      "tool_result",
      "tool_result",
      "file_change",
      "usage",
      "retry",
      "compaction",
      "background_job",
      "notice",
    ]);
    expect(events[4]).toMatchObject({ input: "{not json" });
    expect(events[5]).toMatchObject({ exit_code: 0, spill_path: "/data/spill/exec-1.txt" });
    expect(events[7]).toMatchObject({ path: "a", diff: expect.stringContaining("-x\n+y") });
    expect(events[8]).toEqual({ type: "usage", step: 2, usage: { input_tokens: 10, output_tokens: 2, cached_input_tokens: 4 }, cost: 0.01 });
    // Every shape in the schema is one the code can write.
    const written = new Set<string>(events.map((e) => e.type));
    const described = schema.oneOf.map((ref: any) => schema.$defs[ref.$ref.replace("#/$defs/", "")].properties.type.const);
    expect(described.filter((type: string) => !written.has(type)).sort()).toEqual(["init", "result"]);
  });

  it("no partial deltas without --include-partial, and an empty commentary is not an event", () => {
    expect(streamEventsFor({ type: "text", delta: "x" }, 1, false)).toEqual([]);
    expect(streamEventsFor({ type: "assistant_end", text: "", toolCalls: 2 }, 1, true)).toEqual([]);
  });

  it("the validator itself rejects a wrong shape", () => {
    expect(validate(schema, { type: "assistant", step: 1, phase: "final", text: "x", extra: 1 })).not.toEqual([]);
    expect(validate(schema, { type: "result", schema_version: 1 })).not.toEqual([]);
  });
});
