import { describe, expect, it } from "vitest";
import { capOutput, MAX_LINE_CHARS, truncateLine } from "../src/truncate.js";

/** Splits a capped output into its head, the byte count in the marker, and its tail. */
function parts(output: string) {
  const match = /^([\s\S]*)\n\n\[\.\.\. (\d+) bytes cut from the middle of this output \.\.\.\]\n\n([\s\S]*)$/.exec(output);
  if (!match) throw new Error(`no marker in ${JSON.stringify(output.slice(0, 80))}`);
  return { head: match[1], cut: Number(match[2]), tail: match[3] };
}

describe("capOutput", () => {
  it("returns text within the cap unchanged, to the byte", () => {
    const text = "é".repeat(50);
    expect(capOutput(text, 100)).toBe(text);
    expect(capOutput(`${text}x`, 100)).not.toBe(`${text}x`);
  });

  it("keeps the head and the tail, counts the cut bytes exactly, and stays within the cap", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const output = capOutput(text, 1000);
    const { head, cut, tail } = parts(output);
    expect(text.startsWith(head)).toBe(true);
    expect(text.endsWith(tail)).toBe(true);
    expect(head.startsWith("line 0\nline 1\n")).toBe(true);
    expect(tail.endsWith("line 998\nline 999")).toBe(true);
    expect(Buffer.byteLength(head) + cut + Buffer.byteLength(tail)).toBe(Buffer.byteLength(text));
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(1000);
    expect(Buffer.byteLength(output)).toBeGreaterThan(990);
  });

  it("never splits a multibyte character, whatever the cut point", () => {
    const text = "a€😀ü".repeat(500);
    for (let max = 200; max < 212; max++) {
      const output = capOutput(text, max);
      const { head, cut, tail } = parts(output);
      expect(output).not.toContain("\uFFFD");
      expect(text.startsWith(head) && text.endsWith(tail)).toBe(true);
      expect(Buffer.byteLength(head) + cut + Buffer.byteLength(tail)).toBe(Buffer.byteLength(text));
      expect(Buffer.byteLength(output)).toBeLessThanOrEqual(max);
    }
  });

  it("caps one huge line with no newline", () => {
    const output = capOutput("x".repeat(1_000_000), 50 * 1024);
    const { head, cut, tail } = parts(output);
    expect(head).toMatch(/^x+$/);
    expect(tail).toMatch(/^x+$/);
    expect(head.length + cut + tail.length).toBe(1_000_000);
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(50 * 1024);
  });
});

describe("truncateLine", () => {
  it("leaves a line of exactly max characters alone and says how many were cut beyond it", () => {
    expect(truncateLine("abcde", 5)).toBe("abcde");
    expect(truncateLine("abcdef", 5)).toBe("abcde… [1 more characters]");
    expect(truncateLine("", 5)).toBe("");
    expect(truncateLine("x".repeat(MAX_LINE_CHARS + 10))).toBe(`${"x".repeat(MAX_LINE_CHARS)}… [10 more characters]`);
  });

  it("never cuts between the halves of a surrogate pair", () => {
    expect(truncateLine("abcd😀xyz", 5)).toBe("abcd… [5 more characters]");
    expect(truncateLine("abc😀xyz", 5)).toBe("abc😀… [3 more characters]");
  });

  it("takes the full length when given only the start of a line", () => {
    expect(truncateLine("abcde", 5, 1_000_005)).toBe("abcde… [1000000 more characters]");
    expect(truncateLine("abc", 5, 3)).toBe("abc");
  });
});
