import ignore from "ignore";
import { describe, expect, it } from "vitest";
import { ignoreHint } from "../../src/tools/ignore-hint.js";

/** The hint may let through paths no rule matches, never hide one that some rule matches. */

describe("ignoreHint", () => {
  it("takes each rule's longest plain run, so a path without any of them needs no question", () => {
    const hint = ignoreHint("# build output\n*.log\nignored/\n!keep.LOG\n/dist\nfoo/**/bar\n")!;
    for (const path of ["a.log", "x/ignored/", "KEEP.log", "dist", "foo/a/bar", "src/Ignored/z.ts"]) expect(hint.test(path), path).toBe(true);
    for (const path of ["src/index.ts", "README.md", "lib/x.js"]) expect(hint.test(path), path).toBe(false);
  });

  it("gives up on rules that could match anything or hold a class, and matches nothing for no rules", () => {
    expect(ignoreHint("*\n")).toBeUndefined();
    expect(ignoreHint("**/\n")).toBeUndefined();
    expect(ignoreHint("[Bb]uild/\n")).toBeUndefined();
    expect(ignoreHint("# only a comment\n\n")!.test("anything")).toBe(false);
  });

  it("never says no to a path the ignore package has an opinion about", () => {
    const text = "*.log\nbuild/\n!important.log\n/root-only.txt\ndocs/**/*.md\n\\#hash\nsp\\ ace\ntrailing   \n**/deep/x\n*.TMP\n";
    const rules = ignore().add(text);
    const hint = ignoreHint(text)!;
    const paths = ["a.log", "x/important.log", "build/", "src/build/", "root-only.txt", "docs/a/b.md", "#hash", "sp ace", "trailing",
      "deep/x", "a/deep/x", "f.tmp", "F.TMP", "src/main.ts", "docs/readme.txt", "notes/build.txt"];
    for (const path of paths) {
      const verdict = rules.test(path);
      if (verdict.ignored || verdict.unignored) expect(hint.test(path), path).toBe(true);
    }
  });
});
