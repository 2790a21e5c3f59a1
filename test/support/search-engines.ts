import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";

/**
 * grep and list_files run ripgrep when it is on PATH and a worker thread otherwise; their tests run
 * once with each. The rg half is skipped on a machine without rg, and says so in its title and on
 * stderr, so it never passes silently; the other half runs with a PATH that lacks rg.
 */
export const RG_PROBLEM = spawnSync("rg", ["--version"]).error ? "rg is not on PATH (install: apt-get install ripgrep)" : undefined;
if (RG_PROBLEM) process.stderr.write(`\nSKIPPED: the search tests with rg, because ${RG_PROBLEM}.\n\n`);

export type Engine = "rg" | "no rg";

let withoutRg: string | undefined;

/**
 * The current PATH with rg taken out: each folder holding an rg is replaced by a folder of
 * symlinks to everything else in it, so every other command is still found.
 */
export function pathWithoutRg(): string {
  if (withoutRg) return withoutRg;
  const farm = mkdtempSync(join(tmpdir(), "mc-path-without-rg-"));
  const folders = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  withoutRg = folders
    .map((folder, i) => {
      if (!existsSync(join(folder, "rg"))) return folder;
      const copy = join(farm, String(i));
      mkdirSync(copy);
      for (const name of readdirSync(folder)) if (name !== "rg") symlinkSync(join(folder, name), join(copy, name));
      return copy;
    })
    .join(delimiter);
  return withoutRg;
}

/** `body` in two describe blocks: with rg (skipped, saying why, when there is none) and without. */
export function forEachEngine(title: string, body: (engine: Engine) => void): void {
  describe.skipIf(RG_PROBLEM)(RG_PROBLEM ? `${title}, with rg [SKIPPED: ${RG_PROBLEM}]` : `${title}, with rg`, () => body("rg"));
  describe(`${title}, without rg`, () => {
    let saved: string | undefined;
    beforeAll(() => {
      saved = process.env.PATH;
      process.env.PATH = pathWithoutRg();
    });
    afterAll(() => {
      process.env.PATH = saved;
    });
    body("no rg");
  });
}
