import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SPINNER_INTERVAL_MS, startSpinner } from "../../src/terminal/render/spinner.js";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (chunk: string) => writes.push(chunk) > 0 };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
});
afterEach(() => vi.useRealTimers());

describe("startSpinner", () => {
  it("writes nothing at all when the stream is not a TTY", () => {
    const stream = fakeStream(false);
    const spinner = startSpinner(stream, "thinking");
    vi.advanceTimersByTime(2000);
    spinner.stop();
    expect(stream.writes).toEqual([]);
  });

  it("shows elapsed seconds on one redrawn line and clears it on stop", () => {
    const stream = fakeStream(true);
    const spinner = startSpinner(stream, "thinking");
    expect(stream.writes).toEqual([]);

    vi.advanceTimersByTime(SPINNER_INTERVAL_MS);
    expect(stream.writes).toEqual(["\r\x1b[2K⠋ thinking 0.1s"]);
    vi.advanceTimersByTime(1200 - SPINNER_INTERVAL_MS);
    expect(stream.writes).toHaveLength(15);
    expect(stream.writes.at(-1)).toBe("\r\x1b[2K⠼ thinking 1.2s");
    expect(stream.writes.every((w) => !w.includes("\n"))).toBe(true);

    spinner.stop();
    expect(stream.writes.at(-1)).toBe("\r\x1b[2K");
    const count = stream.writes.length;
    vi.advanceTimersByTime(1000);
    spinner.stop();
    expect(stream.writes).toHaveLength(count);
  });

  it("leaves no trace when stopped before its first frame", () => {
    const stream = fakeStream(true);
    startSpinner(stream, "thinking").stop();
    vi.advanceTimersByTime(1000);
    expect(stream.writes).toEqual([]);
  });
});
