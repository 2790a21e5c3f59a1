import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Domains the person allowed "always for this project" at a network question. Kept in the data
 * folder, keyed by workspace, never in the workspace: a command or a repository cannot allow
 * itself a domain by writing a settings file.
 */

const STORE = "allowed-domains.json";

/** Contract: never throws; an unreadable store allows nothing. */
export function projectDomains(dataDir: string, workspace: string): string[] {
  const list = readStore(dataDir)[workspace];
  return Array.isArray(list) ? list.filter((domain): domain is string => typeof domain === "string") : [];
}

/** Contract: never throws; false when the domain could not be saved (it then holds for this session only). */
export function rememberProjectDomain(dataDir: string, workspace: string, domain: string): boolean {
  const file = join(dataDir, STORE);
  try {
    const store = readStore(dataDir);
    const list = projectDomains(dataDir, workspace);
    if (!list.includes(domain)) list.push(domain);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify({ ...store, [workspace]: list }, null, 2)}\n`, { mode: 0o600 });
    return true;
  } catch {
    return false;
  }
}

function readStore(dataDir: string): Record<string, unknown> {
  try {
    const store = JSON.parse(readFileSync(join(dataDir, STORE), "utf8")) as unknown;
    return typeof store === "object" && store !== null ? (store as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
