import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { namedFilesDigest } from "../named-files.js";
import type { HookCommand } from "./settings.js";
import { replaceFileSync } from "../../safe-write.js";

/**
 * The person's "yes, run this project's hooks" (and "yes, apply its permissions.allow"),
 * remembered outside the workspace (in the data folder) so a repository cannot trust itself, and
 * keyed by the content so a changed hook or rule is asked about again. `store` names the file.
 */

const TRUST_FILE = "trusted-hooks.json";

/** The fingerprint of a project's hooks: what runs (the command and the workspace files it names), when, and from which file. */
export function hooksFingerprint(commands: HookCommand[], workspace: string): string {
  const shape = commands.map(({ event, matcher, command, timeoutMs, source }) => [event, matcher ?? "", command, namedFilesDigest(command, workspace), timeoutMs, source]);
  return createHash("sha256").update(JSON.stringify(shape)).digest("hex");
}

/** Contract: never throws; an unreadable store trusts nothing. */
export function isTrusted(dataDir: string, workspace: string, fingerprint: string, store = TRUST_FILE): boolean {
  return readStore(dataDir, store)[workspace] === fingerprint;
}

/** Contract: never throws; returns false when the decision could not be saved (it then holds for this session only). */
export function rememberTrust(dataDir: string, workspace: string, fingerprint: string, store = TRUST_FILE): boolean {
  const file = join(dataDir, store);
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    replaceFileSync(file, `${JSON.stringify({ ...readStore(dataDir, store), [workspace]: fingerprint }, null, 2)}\n`, 0o600);
    return true;
  } catch {
    return false;
  }
}

function readStore(dataDir: string, file: string): Record<string, string> {
  try {
    const store = JSON.parse(readFileSync(join(dataDir, file), "utf8")) as unknown;
    return typeof store === "object" && store !== null ? (store as Record<string, string>) : {};
  } catch {
    return {};
  }
}
