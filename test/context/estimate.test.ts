import { describe, expect, it } from "vitest";
import type { Message } from "../../src/model/history.js";
import { jsonBytes, jsonOf } from "../../src/model/json-cache.js";
import { messageBytes, TokenEstimator, totalBytes } from "../../src/context/estimate.js";

const user = (content: string): Message => ({ role: "user", content });
const result = (id: string, content: string): Message => ({ role: "tool", tool_call_id: id, content });

describe("token estimates from each message's JSON made once", () => {
  it("counts a message's UTF-8 bytes as sent, whatever its script", () => {
    for (const message of [user("plain"), user("café 日本語 🚀 \u0001 \"quoted\"\n"), result("c1", "half a pair: \ud800")]) {
      expect(messageBytes(message)).toBe(Buffer.byteLength(JSON.stringify(message)) + 12);
      expect(jsonOf(message)).toBe(JSON.stringify(message));
      expect(jsonBytes(message)).toBe(Buffer.byteLength(JSON.stringify(message)));
    }
  });

  it("sums per message to the size of the whole history serialised at once", () => {
    const messages = Array.from({ length: 50 }, (_, i) => (i % 2 ? result(`c${i}`, `line ${i} ✓`.repeat(i)) : user(`step ${i} — ok`)));
    const wholeArray = Buffer.byteLength(JSON.stringify(messages));
    // The array adds its brackets and a comma between messages; each message adds 12 for role markers.
    expect(totalBytes(messages) - 12 * messages.length + (messages.length - 1) + 2).toBe(wholeArray);
  });

  it("grows by the appended messages only, equal to serialising them all at once", () => {
    const history = [user("first question"), result("c1", "x".repeat(3000))];
    const estimator = new TokenEstimator(() => 500);
    estimator.calibrate(history, 1200);
    const ratio = estimator.ratio;
    let total = history;
    for (let step = 0; step < 20; step++) {
      total = [...total, user(`step ${step} ✓`), result(`c${step}`, "y".repeat(100 * step))];
      const appended = total.slice(history.length);
      // From scratch: the appended messages as one JSON array, less its brackets and commas, plus 12 each.
      const bytes = Buffer.byteLength(JSON.stringify(appended)) - 2 - (appended.length - 1) + 12 * appended.length;
      expect(estimator.estimate(total)).toBe(1200 + Math.ceil(bytes / ratio));
    }
  });

  it("converts the whole request again when an earlier message was replaced (compaction)", () => {
    const history = [user("question"), result("c1", "z".repeat(6000)), user("next")];
    const estimator = new TokenEstimator(() => 300);
    estimator.calibrate(history, 2500);
    const stubbed = [history[0], result("c1", "[output removed]"), history[2]];
    expect(estimator.estimate(stubbed)).toBe(Math.ceil((totalBytes(stubbed) + 300) / estimator.ratio));
  });
});
