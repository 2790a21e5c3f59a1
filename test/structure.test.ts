import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The layout the README's map promises, checked from the imports themselves: the wings in the order
 * they may import (each only those after it), no import circle between files, no file over 400 lines.
 */

const SRC = join(import.meta.dirname, "../src");
/** Top first: a file may import its own wing and the wings after it, never one before it. */
const WING_ORDER = ["entry", "sdk", "terminal", "doctor", "approval", "loop", "session", "extend", "context", "model", "tools", "config", "processes", "leaf"];
const MAX_LINES = 400;

const files = readdirSync(SRC, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.split("\\").join("/"));
const source = new Map(files.map((file) => [file, readFileSync(join(SRC, file), "utf8")]));

function wingOf(file: string): string {
  const [first, ...rest] = file.split("/");
  if (rest.length) return first;
  return file === "cli.ts" || file === "main.ts" ? "entry" : "leaf";
}

/** The files of ours `file` imports (static and lazy), as paths relative to src/. */
function importsOf(file: string): string[] {
  const found: string[] = [];
  for (const match of source.get(file)!.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = relative(SRC, normalize(join(SRC, dirname(file), match[1]))).split("\\").join("/").replace(/\.js$/, ".ts");
    if (source.has(target)) found.push(target);
  }
  return found;
}

describe("the layout", () => {
  it("knows every wing, and no import runs back up the wing order", () => {
    expect(files.map(wingOf).filter((wing) => !WING_ORDER.includes(wing))).toEqual([]);
    const upward = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => WING_ORDER.indexOf(wingOf(target)) < WING_ORDER.indexOf(wingOf(file)))
        .map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it("has no import circle between files", () => {
    const state = new Map<string, "open" | "done">();
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        circles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const target of importsOf(file)) visit(target, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(circles).toEqual([]);
  });

  it(`keeps every file at ${MAX_LINES} lines or fewer`, () => {
    const long = files.filter((file) => source.get(file)!.split("\n").length > MAX_LINES);
    expect(long).toEqual([]);
  });
});
