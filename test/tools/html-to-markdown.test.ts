import { describe, expect, it } from "vitest";
import { htmlToMarkdown } from "../../src/tools/html-to-markdown.js";

/** A hostile page must not hold the session: each of these took seconds to minutes in the parser. */
describe("a page too big or too deep to lay out is read as plain text, fast", () => {
  const timed = async (html: string) => {
    const started = Date.now();
    const text = await htmlToMarkdown(html, "http://example.test/");
    return { text, ms: Date.now() - started };
  };

  it("ten thousand nested elements", async () => {
    const { text, ms } = await timed(`<html><body>${"<div>".repeat(10_000)}deep text<script>evil()</script>${"</div>".repeat(10_000)}</body></html>`);
    expect(text).toBe("deep text");
    expect(ms).toBeLessThan(2000);
  });

  it("hundreds of thousands of elements, and unclosed tags", async () => {
    const many = await timed(`<p>${"<b>x</b>".repeat(300_000)}</p>`);
    expect(many.text.startsWith("x x x")).toBe(true);
    expect(many.ms).toBeLessThan(3000);
    // Two hundred thousand `<` that never close: the tag scan stays linear.
    const unclosed = await timed(`<p>start</p>${"<a".repeat(200_000)}`);
    expect(typeof unclosed.text).toBe("string");
    expect(unclosed.ms).toBeLessThan(3000);
  });

  it("an ordinary page still goes through the main-content pass, as Markdown", async () => {
    const { text } = await timed("<html><head><title>Docs</title><style>p{}</style></head><body><nav>Home</nav><article><h1>Docs</h1><p>The <b>add</b> function returns the sum of two numbers, and it accepts strings of digits too. It is documented here at length so that the main-content pass keeps this article.</p></article></body></html>");
    expect(text).toContain("**add**");
    expect(text).not.toContain("p{}");
  });
});
