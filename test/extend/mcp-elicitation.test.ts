import { describe, expect, it } from "vitest";
import { fieldQuestion, formFields, printAnswer, readField } from "../../src/extend/mcp/elicitation.js";

const schema = {
  type: "object" as const,
  properties: {
    name: { type: "string", title: "Name", minLength: 2, default: "Ada" },
    email: { type: "string", format: "email" },
    age: { type: "integer", title: "Age", minimum: 0, maximum: 150 },
    ratio: { type: "number" },
    ok: { type: "boolean", default: true },
    size: { type: "string", enum: ["s", "m", "l"], enumNames: ["Small", "Medium", "Large"] },
    plan: { type: "string", oneOf: [{ const: "free", title: "Free" }, { const: "pro", title: "Pro" }] },
    tags: { type: "array", items: { type: "string", enum: ["a", "b", "c"] }, maxItems: 2 },
  },
  required: ["name", "age"],
};
const fields = Object.fromEntries(formFields(schema).map((field) => [field.name, field]));

describe("elicitation forms", () => {
  it("reads each field's kind, limits and default from its schema, and says them in the question", () => {
    expect(fieldQuestion(fields.age)).toBe("Age (integer, ≥ 0, ≤ 150, required)");
    expect(fieldQuestion(fields.name)).toBe("Name (required) [Ada]");
    expect(fieldQuestion(fields.ok)).toBe("ok (y/n) [y]");
    expect(fieldQuestion(fields.size)).toBe("size (one of: 1) Small, 2) Medium, 3) Large)");
    expect(fieldQuestion(fields.tags)).toBe("tags (any of: 1) a, 2) b, 3) c)");
  });

  it("checks typed answers against the schema, with a sentence that says what to type", () => {
    expect(readField(fields.name, "")).toEqual({ value: "Ada" });
    expect(readField(fields.name, "A")).toEqual({ problem: "Name: at least 2 characters." });
    expect(readField(fields.age, "")).toEqual({ problem: "Age is required." });
    expect(readField(fields.age, "4.5")).toEqual({ problem: "Age: type a whole number, e.g. 42." });
    expect(readField(fields.age, "200")).toEqual({ problem: "Age: at most 150." });
    expect(readField(fields.age, " 41 ")).toEqual({ value: 41 });
    expect(readField(fields.ratio, "0.5")).toEqual({ value: 0.5 });
    expect(readField(fields.ratio, "")).toEqual({});
    expect(readField(fields.ok, "maybe")).toEqual({ problem: "ok: type y or n." });
    expect(readField(fields.ok, "no")).toEqual({ value: false });
    expect(readField(fields.email, "ada")).toEqual({ problem: "email: type an email address, e.g. ada@example.com." });
    expect(readField(fields.size, "2")).toEqual({ value: "m" });
    expect(readField(fields.size, "large")).toEqual({ value: "l" });
    expect(readField(fields.size, "xl")).toEqual({ problem: "size: type one of s, m, l (or its number)." });
    expect(readField(fields.plan, "Pro")).toEqual({ value: "pro" });
    expect(readField(fields.tags, "a, 3")).toEqual({ value: ["a", "c"] });
    expect(readField(fields.tags, "a,b,c")).toEqual({ problem: "tags: pick at most 2." });
  });

  it("--print declines, or takes the defaults only when every required field has one", () => {
    // The SDK's type is exact about each field's schema; the test's object is checked at run time instead.
    const form = { mode: "form", message: "Who?", requestedSchema: schema } as unknown as Parameters<typeof printAnswer>[1];
    expect(printAnswer("s", form, "decline").answer).toEqual({ action: "decline" });
    expect(printAnswer("s", form, "defaults")).toEqual({ answer: { action: "decline" }, line: 'MCP server s asked "Who?": declined, age has no default (--mcp-elicitation defaults).' });
    const defaulted = { ...form, requestedSchema: { ...schema, required: ["name"] } } as typeof form;
    expect(printAnswer("s", defaulted, "defaults").answer).toEqual({ action: "accept", content: { name: "Ada", ok: true } });
    expect(printAnswer("s", { mode: "url", message: "Go", url: "https://x.test", elicitationId: "1" }, "defaults").answer).toEqual({ action: "decline" });
  });
});
