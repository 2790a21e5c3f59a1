import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, writePrivate } from "../../private-files.js";
import type { PromptTemplate } from "./load.js";

/**
 * The person's "yes, let this project's template run its commands", remembered in the data folder
 * (outside the workspace, so a repository cannot trust itself) and keyed by the workspace, the
 * file and its whole text, so an edited template is asked about again. The person's own templates
 * need no trust.
 */

const TRUST_FILE = "trusted-templates.json";

export function templateFingerprint(workspace: string, template: PromptTemplate): string {
  return createHash("sha256").update(JSON.stringify([workspace, template.file, template.body, template.commandRules])).digest("hex");
}

/** Contract: never throws; an unreadable store trusts nothing. */
export function isTemplateTrusted(dataDir: string, fingerprint: string): boolean {
  return readStore(dataDir).includes(fingerprint);
}

/** Contract: never throws; false when the decision could not be saved (it then holds for this one use). */
export function trustTemplate(dataDir: string, fingerprint: string): boolean {
  try {
    ensurePrivateDir(dataDir);
    writePrivate(join(dataDir, TRUST_FILE), `${JSON.stringify({ trusted: [...new Set([...readStore(dataDir), fingerprint])] }, null, 2)}\n`);
    return true;
  } catch {
    return false;
  }
}

function readStore(dataDir: string): string[] {
  try {
    const trusted = (JSON.parse(readFileSync(join(dataDir, TRUST_FILE), "utf8")) as { trusted?: unknown }).trusted;
    return Array.isArray(trusted) ? trusted.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
}
