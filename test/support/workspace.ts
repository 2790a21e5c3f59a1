import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { onTestFinished } from "vitest";

export interface TempWorkspace {
  /** Real path of a fresh workspace folder. */
  root: string;
  /** A sibling folder outside the workspace, for escape tests. */
  outside: string;
  /** A folder for MINI_CLAUDE_HOME / HOME, outside the workspace. */
  home: string;
  write(path: string, content: string): string;
  read(path: string): string;
}

/** A temp workspace with the given files, removed when the test ends. */
export function tempWorkspace(files: Record<string, string> = {}): TempWorkspace {
  const base = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-test-")));
  const root = join(base, "workspace");
  const outside = join(base, "outside");
  const home = join(base, "home");
  for (const dir of [root, outside, home]) mkdirSync(dir);
  onTestFinished(() => rmSync(base, { recursive: true, force: true }));
  const write = (path: string, content: string) => {
    const absolute = join(root, path);
    mkdirSync(dirname(absolute), { recursive: true });
    writeFileSync(absolute, content);
    return absolute;
  };
  for (const [path, content] of Object.entries(files)) write(path, content);
  return { root, outside, home, write, read: (path) => readFileSync(join(root, path), "utf8") };
}
