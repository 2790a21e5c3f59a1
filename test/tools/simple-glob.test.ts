import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { simpleGlob } from "../../src/tools/simple-glob.js";

/** The main-thread matcher must agree with picomatch (dot: true), which the worker runs for the rest. */

const picomatchSays = (glob: string, path: string) => picomatch.makeRe(glob, { dot: true }).test(path);

describe("simpleGlob", () => {
  it("takes the common shapes and leaves the rest to picomatch", () => {
    for (const glob of ["**/*.ts", "*.d.ts", "src/*.js", "test/**/*.spec.?s", "**", "a b/~x@y%z=w", "pkg-1/dist/types"]) {
      expect(simpleGlob(glob), glob).toBeTypeOf("function");
    }
    // Where picomatch is not plain wildcard matching ("*/**" ≁ "a", "*.*" ≁ "a."): left to it.
    for (const glob of ["*/**", "a*/**", "*.*", "**/*.*", "x*.*"]) expect(simpleGlob(glob), glob).toBeUndefined();
    for (const glob of ["*.{ts,js}", "[ab].ts", "!*.ts", "@(a*)*(a*)b", "+(x)", "a\\*b", "src/", "/abs", "./x", "a//b", "a/../b", "x**y", "**.ts"]) {
      expect(simpleGlob(glob), glob).toBeUndefined();
    }
  });

  it("matches like picomatch on typical paths", () => {
    const paths = ["a.ts", "src/a.ts", "src/deep/b.d.ts", ".github/x.yml", "src/.hidden.ts", "test/unit/a.spec.js", "test/a.spec.ts", "README.md", "pkg-1/dist/types/file5.d.ts"];
    for (const glob of ["**/*.ts", "*.ts", "src/*.ts", "src/**/*.ts", "**/*.d.ts", "test/**/*.spec.?s", "**", "*", "**/.*", "*/*", "**/a*", "?.ts", "README.md"]) {
      const match = simpleGlob(glob)!;
      for (const path of paths) expect(match(path), `${glob} ~ ${path}`).toBe(picomatchSays(glob, path));
    }
  });

  it("matches like picomatch on thousands of generated globs and paths", () => {
    // A fixed-seed generator: the same cases every run.
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pick = (parts: string[], min: number, max: number) =>
      Array.from({ length: min + random(max - min + 1) }, () => parts[random(parts.length)]).join("");
    const segment = () => pick(["a", "b", ".", "-", "ab"], 1, 4);
    const globSegment = () => (random(5) === 0 ? "**" : pick(["a", "b", ".", "*", "?", "-"], 1, 4));
    let compared = 0;
    for (let g = 0; g < 400; g++) {
      const glob = Array.from({ length: 1 + random(3) }, globSegment).join("/");
      const match = simpleGlob(glob);
      if (!match) continue;
      for (let p = 0; p < 40; p++) {
        const path = Array.from({ length: 1 + random(3) }, segment).filter((s) => s !== "." && s !== "..").join("/");
        if (!path) continue;
        expect(match(path), `${glob} ~ ${path}`).toBe(picomatchSays(glob, path));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it("stays fast on names built to make a backtracking matcher explode", () => {
    const match = simpleGlob("*a*a*a*a*a*a*a*a*a*b")!;
    const name = "a".repeat(5000);
    const started = performance.now();
    expect(match(name)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
