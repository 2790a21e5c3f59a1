import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { HookCommand } from "./settings.js";
import { replaceFileSync } from "../safe-write.js";

/**
 * The person's "yes, run this project's hooks", remembered outside the workspace (in the data
 * folder) so a repository cannot trust itself, and keyed by the hooks' content so a changed hook
 * is asked about again.
 */

const TRUST_FILE = "trusted-hooks.json";

/** The fingerprint of a project's hooks: what runs, when, and from which file. */
export function hooksFingerprint(commands: HookCommand[]): string {
  const shape = commands.map(({ event, matcher, command, timeoutMs, source }) => [event, matcher ?? "", command, timeoutMs, source]);
  return createHash("sha256").update(JSON.stringify(shape)).digest("hex");
}

/** Contract: never throws; an unreadable store trusts nothing. */
export function isTrusted(dataDir: string, workspace: string, fingerprint: string): boolean {
  return readStore(dataDir)[workspace] === fingerprint;
}

/** Contract: never throws; returns false when the decision could not be saved (it then holds for this session only). */
export function rememberTrust(dataDir: string, workspace: string, fingerprint: string): boolean {
  const file = join(dataDir, TRUST_FILE);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    replaceFileSync(file, `${JSON.stringify({ ...readStore(dataDir), [workspace]: fingerprint }, null, 2)}\n`, 0o600);
    return true;
  } catch {
    return false;
  }
}

function readStore(dataDir: string): Record<string, string> {
  try {
    const store = JSON.parse(readFileSync(join(dataDir, TRUST_FILE), "utf8")) as unknown;
    return typeof store === "object" && store !== null ? (store as Record<string, string>) : {};
  } catch {
    return {};
  }
}
