import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { grepTool } from "../../src/tools/grep.js";
import type { ToolContext } from "../../src/tools/index.js";
import { approveAll } from "../support/approve-all.js";

/** Enough files for several batches, so two workers share them; the output must not show it. */

let root: string;
beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "mc-grep-pool-")));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const name = (n: number) => `f${String(n).padStart(4, "0")}.txt`;
const grep = async (pattern: string) => {
  const result = await grepTool.run({ pattern }, { root, signal: new AbortController().signal, approve: approveAll } as ToolContext);
  return typeof result === "string" ? result : result.output;
};

it("matches across many batches come back in walk order, and the cap keeps the first 200", async () => {
  await Promise.all(Array.from({ length: 1200 }, (_, n) => writeFile(join(root, name(n)), `line one\nhit ${n}\n${n % 3 === 0 ? "hit again\n" : ""}`)));
  const lines = (await grep("hit")).split("\n");
  const expected: string[] = [];
  for (let n = 0; expected.length < 200; n++) {
    expected.push(`${name(n)}:2:hit ${n}`);
    if (n % 3 === 0 && expected.length < 200) expected.push(`${name(n)}:3:hit again`);
  }
  expect(lines.slice(0, 200)).toEqual(expected);
  expect(lines[200]).toMatch(/^\[Stopped after 200 matches; there are more\./);
});

it("sparse matches and skipped binaries are counted over every batch", async () => {
  await Promise.all(
    Array.from({ length: 1200 }, (_, n) => writeFile(join(root, name(n)), n % 100 === 0 ? Buffer.from([0, 1, 2]) : `x\n${n % 97 === 1 ? "needle" : "hay"}\n`)),
  );
  const shown = (await grep("needle")).split("\n");
  expect(shown).toEqual(Array.from({ length: 13 }, (_, k) => `${name(97 * k + 1)}:2:needle`));
  expect(await grep("absent")).toBe("No matches for /absent/ in the workspace.\n[Skipped 12 binary files.]");
});
