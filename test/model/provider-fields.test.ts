import { describe, expect, it } from "vitest";
import { withoutStaleReasoning, type Message } from "../../src/model/history.js";
import { mergeMessageExtras, mergeValue } from "../../src/model/provider-fields.js";

describe("fields providers need back", () => {
  it("merges unknown delta fields the way the delta format merges content", () => {
    const fields: Record<string, unknown> = {};
    mergeMessageExtras(fields, { role: "assistant", content: "hi", refusal: null, reasoning_content: "x", extra_content: { google: { thought_signature: "ab" } } });
    mergeMessageExtras(fields, { reasoning_details: [{ index: 0, type: "reasoning.text", text: "Think" }] });
    mergeMessageExtras(fields, { reasoning_details: [{ index: 0, text: "ing." }, { index: 1, type: "reasoning.encrypted", data: "zz" }] });
    expect(fields).toEqual({
      extra_content: { google: { thought_signature: "ab" } },
      reasoning_details: [
        { index: 0, type: "reasoning.text", text: "Thinking." },
        { index: 1, type: "reasoning.encrypted", data: "zz" },
      ],
    });
    expect(mergeValue({ a: "x", n: 1 }, { a: "y", n: 2, b: null })).toEqual({ a: "xy", n: 2, b: null });
  });

  it("drops reasoning only from turns before the last user message, without touching the history", () => {
    const history: Message[] = [
      { role: "user", content: "one" },
      { role: "assistant", content: "a", reasoning_content: "old", extra_content: { k: 1 } } as Message,
      { role: "user", content: "two" },
      { role: "assistant", content: null, reasoning: "new", tool_calls: [] } as Message,
    ];
    const sent = withoutStaleReasoning(history);
    expect(sent[1]).toEqual({ role: "assistant", content: "a", extra_content: { k: 1 } });
    expect(sent[3]).toBe(history[3]);
    expect(history[1]).toHaveProperty("reasoning_content", "old");
    const current = history.slice(2);
    expect(withoutStaleReasoning(current)).toBe(current);
    // The next request sends the same copy, so its JSON is not made again (json-cache.ts).
    expect(withoutStaleReasoning([...history, { role: "user", content: "three" }])[1]).toBe(sent[1]);
  });
});
