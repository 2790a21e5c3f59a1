import { describe, expect, it } from "vitest";
import { meaningfulLine, resultLine } from "../../src/extend/mcp/summary.js";

describe("the person's one line for an MCP result", () => {
  it("summarises JSON (structured content or JSON text) by its fields, never `{`", () => {
    const weather = { temperature: 33, conditions: "Cloudy", humidity: 82 };
    expect(resultLine(JSON.stringify(weather), weather)).toBe("temperature: 33, conditions: Cloudy, humidity: 82");
    expect(resultLine(JSON.stringify({ entities: [{ name: "a" }, { name: "b" }], relations: [] }, null, 2), undefined)).toBe("entities: 2 items, relations: none");
    expect(resultLine(JSON.stringify({ results: [{ name: "a.txt", size: 3 }] }), undefined)).toBe("results: 1 item: name: a.txt, size: 3");
    expect(resultLine("[]", undefined)).toBe("no items");
    expect(resultLine("{ not json", undefined)).toBe("{ not json");
    // Plain text keeps its first line; JSON cut short is shown as it is.
    expect(resultLine("echo: hi\nmore", { echoed: "hi" })).toBe("echo: hi");
    expect(resultLine(`{"note": "${"x".repeat(300)}"}`, undefined).length).toBeLessThanOrEqual(100);
  });

  it("an error's meaningful line skips blank lines, bare punctuation and a lone Error:", () => {
    expect(meaningfulLine("\n  \nError:\n---\ndisk quota exceeded\nsecond")).toBe("disk quota exceeded");
    expect(meaningfulLine('{"error": "not found", "code": 404}')).toBe("error: not found, code: 404");
    expect(meaningfulLine("\n{\n")).toBeUndefined();
  });
});
