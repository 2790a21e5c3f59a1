import { readFileSync } from "node:fs";
import { join } from "node:path";
import { appendPrivate, ensurePrivateDir, writePrivate } from "../../private-files.js";

/** Lines typed at the prompt, kept across runs so arrow-up works like a shell. */
const MAX_ENTRIES = 500;
const FILE = "input-history";

/** Newest first, as readline wants them. */
export function loadInputHistory(configDir: string): string[] {
  try {
    const lines = readFileSync(join(configDir, FILE), "utf8").split("\n").filter(Boolean);
    if (lines.length > MAX_ENTRIES * 2) writePrivate(join(configDir, FILE), `${lines.slice(-MAX_ENTRIES).join("\n")}\n`);
    return lines.slice(-MAX_ENTRIES).reverse();
  } catch {
    return [];
  }
}

export function saveInputLine(configDir: string, line: string): void {
  const text = line.trim();
  if (!text || text.includes("\n")) return;
  try {
    ensurePrivateDir(configDir);
    appendPrivate(join(configDir, FILE), `${text}\n`);
  } catch {
    // Losing history is not worth interrupting the person for.
  }
}
