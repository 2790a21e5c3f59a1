import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { grepTool } from "../../src/tools/grep.js";
import type { ToolContext } from "../../src/tools/index.js";
import { plainText, requiredLiteral } from "../../src/tools/required-literal.js";
import { approveAll } from "../support/approve-all.js";

/** grep looks for a pattern's required text in the bytes first; what the model reads must not change. */

describe("the text every match must contain", () => {
  it("is the longest plain run at the top level, escapes included", () => {
    expect(requiredLiteral("createServer\\(", "")).toBe("createServer(");
    expect(requiredLiteral("import .* from", "")).toBe("import ");
    expect(requiredLiteral("(a|b)foo", "")).toBe("foo");
    expect(requiredLiteral("a\\.b\\?c", "")).toBe("a.b?c");
  });

  it("drops a character a quantifier makes optional or repeated, and the operands of escapes", () => {
    expect(requiredLiteral("colou?r", "")).toBe("colo");
    expect(requiredLiteral("ab*c", "")).toBe("a");
    expect(requiredLiteral("x{2}yz", "")).toBe("yz");
    expect(requiredLiteral("\\u0041bc", "")).toBe("bc");
    expect(requiredLiteral("(?<n>a)\\k<n>zz", "")).toBe("zz");
  });

  it("is empty when no text is certain: a top-level alternation, ignore_case, only classes", () => {
    expect(requiredLiteral("foo|bar", "")).toBe("");
    expect(requiredLiteral("foo", "i")).toBe("");
    expect(requiredLiteral("[a-z]+\\d", "")).toBe("");
  });
});

describe("grep with a required text", () => {
  let root: string;
  beforeEach(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), "mc-grep-literal-")));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));
  const grep = async (pattern: string) => {
    const result = await grepTool.run({ pattern }, { root, signal: new AbortController().signal, approve: approveAll } as ToolContext);
    return typeof result === "string" ? result : result.output;
  };

  it("reports the right line numbers for CRLF lines, repeated hits on one line, the first byte and a last line without newline", async () => {
    await writeFile(join(root, "a.txt"), "needle(1) needle(2)\r\nhay\r\nhay needle(x)\r\nneedle(3)");
    expect(await grep("needle\\(\\d")).toBe("a.txt:1:needle(1) needle(2)\na.txt:4:needle(3)");
  });

  it("runs the regex only on lines with the text, so a line with the text but no match is not shown", async () => {
    await writeFile(join(root, "b.js"), "const createServer = 1;\nhttp.createServer(app);\n");
    await writeFile(join(root, "c.js"), "nothing here\n");
    expect(await grep("createServer\\(")).toBe("b.js:2:http.createServer(app);");
  });
});

describe("a pattern that is nothing but text", () => {
  it("is recognised with its escapes, so grep can search it without a regex", () => {
    expect(plainText("createServer\\(", "")).toBe("createServer(");
    expect(plainText("a b-c/d:e", "")).toBe("a b-c/d:e");
    expect(plainText("x\\.y\\\\z", "")).toBe("x.y\\z");
  });

  it("is refused for anything a regex would treat otherwise", () => {
    for (const pattern of ["a.b", "^a", "a$", "a|b", "a?", "a*", "a+", "(a)", "[a]", "a{2}", "\\d", "\\n", "\\u0041", "\\bword", ""]) {
      expect(plainText(pattern, ""), pattern).toBeUndefined();
    }
    expect(plainText("foo", "i")).toBeUndefined();
  });
});
