/**
 * What a trusted command really runs: the content of the workspace files its command line names
 * (`node .claude/hooks/guard.js`, `python scripts/server.py`, `$CLAUDE_PROJECT_DIR/x.sh`). Trust
 * given to a command line is given to these contents too, so a command that rewrites such a
 * script is asked about again rather than trusted.
 */
import { createHash } from "node:crypto";
import { readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";

/** Files larger than this are hashed by their first bytes only: a script is never that large. */
const MAX_HASHED_BYTES = 4 * 1024 * 1024;

/**
 * A digest of every existing workspace file the command line names, with their paths; the same
 * string for the same contents. A command that names no workspace file gets the empty digest.
 * `cwd` is where relative names resolve (the workspace, or a server's cwd).
 */
export function namedFilesDigest(commandLine: string, root: string, cwd = root): string {
  const hash = createHash("sha256");
  for (const file of namedFiles(commandLine, root, cwd)) {
    hash.update(`${relative(root, file)}\u0000`);
    try {
      hash.update(readFileSync(file).subarray(0, MAX_HASHED_BYTES));
    } catch {
      hash.update("\u0000unreadable");
    }
    hash.update("\u0000");
  }
  return hash.digest("hex");
}

/** The existing regular files inside `root` that the words of `commandLine` name, sorted. */
export function namedFiles(commandLine: string, root: string, cwd = root): string[] {
  const expanded = commandLine.replace(/\$\{?(CLAUDE_PROJECT_DIR|MINI_CLAUDE_PROJECT_DIR)\}?/g, root);
  const words = expanded.match(/\d*>>?|<|"[^"]*"|'[^']*'|[^\s"';|&<>()]+/g) ?? [];
  const files = new Set<string>();
  let redirected = false;
  for (const raw of words) {
    // What a command writes to (`>> hook.log`) is its output, not what it runs.
    if (/^\d*>>?$/.test(raw)) {
      redirected = true;
      continue;
    }
    if (redirected) {
      redirected = false;
      continue;
    }
    const word = raw.replace(/^["']|["']$/g, "").replace(/^[\w-]+=/, "");
    if (!word || word.startsWith("-")) continue;
    const path = isAbsolute(word) ? word : resolve(cwd, word);
    try {
      if (!statSync(path).isFile()) continue;
      const real = realpathSync(path);
      const rel = relative(realpathSync(root), real);
      if (rel.startsWith("..") || isAbsolute(rel)) continue;
      files.add(real);
    } catch {
      // Not a file: a program name, a flag's value, an argument.
    }
  }
  return [...files].sort();
}
