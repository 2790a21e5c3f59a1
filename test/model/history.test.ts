import { describe, expect, it } from "vitest";
import { assertValidHistory, closeInterruptedTurn, repairHistory, type Message } from "../../src/model/history.js";

const call = (id: string) => ({ id, type: "function" as const, function: { name: "read_file", arguments: "{}" } });

describe("history invariants", () => {
  it("closeInterruptedTurn answers exactly the unanswered calls of the last assistant turn", () => {
    const messages: Message[] = [
      { role: "user", content: "go" },
      { role: "assistant", content: null, tool_calls: [call("a"), call("b"), call("c")] },
      { role: "tool", tool_call_id: "a", content: "done" },
    ];
    const added = closeInterruptedTurn(messages);
    expect(added.map((m) => (m as { tool_call_id: string }).tool_call_id)).toEqual(["b", "c"]);
    expect(messages.at(-1)).toEqual({ role: "tool", tool_call_id: "c", content: "Interrupted by the user before this ran." });
    expect(() => assertValidHistory(messages)).not.toThrow();
    expect(closeInterruptedTurn(messages)).toEqual([]);
  });

  it("assertValidHistory catches unanswered, duplicate and orphan tool messages", () => {
    expect(() => assertValidHistory([{ role: "assistant", content: null, tool_calls: [call("x")] }])).toThrow(/never answered/);
    expect(() =>
      assertValidHistory([
        { role: "assistant", content: null, tool_calls: [call("x")] },
        { role: "tool", tool_call_id: "x", content: "1" },
        { role: "tool", tool_call_id: "x", content: "2" },
      ]),
    ).toThrow(/already answered/);
    expect(() => assertValidHistory([{ role: "tool", tool_call_id: "y", content: "?" }])).toThrow(/unknown/);
  });

  it("repairHistory drops orphans and closes calls left open mid-history and at the end", () => {
    const repaired = repairHistory([
      { role: "user", content: "a" },
      { role: "assistant", content: null, tool_calls: [call("1")] },
      { role: "user", content: "b" },
      { role: "tool", tool_call_id: "zzz", content: "orphan" },
      { role: "assistant", content: null, tool_calls: [call("2"), call("3")] },
      { role: "tool", tool_call_id: "2", content: "ok" },
    ]);
    expect(() => assertValidHistory(repaired)).not.toThrow();
    expect(repaired.map((m) => m.role)).toEqual(["user", "assistant", "tool", "user", "assistant", "tool", "tool"]);
  });
});
