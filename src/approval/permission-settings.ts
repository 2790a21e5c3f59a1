import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_SETTINGS } from "../extend/hooks/settings.js";
import { isTrusted, rememberTrust } from "../extend/hooks/trust.js";
import { PERMISSION_MODES } from "../config/claude-flags.js";
import type { PermissionRules } from "./decide.js";
import { parseRule, ruleMatches, type PermissionRule } from "./permission-rules.js";

/**
 * `permissions` (allow, deny, ask, defaultMode) and `sandbox.network.allowedDomains` from the same
 * settings files hooks come from: the person's (<config dir>/settings.json, ~/.claude/settings.json)
 * and the project's (.claude/settings.json, .claude/settings.local.json, .mini-claude/settings.json).
 *
 * A project's rules are trusted like its hooks: its `deny` and `ask` always apply (they only take
 * power away); its `allow` rules and domains apply once the person trusted them (asked in the
 * REPL, remembered by content in the data folder, asked again when they change). defaultMode
 * bypassPermissions counts only from the person's own files.
 */

export type RuleList = "allow" | "deny" | "ask";

export interface ListedRule {
  rule: PermissionRule;
  list: RuleList;
  scope: "user" | "project";
}

export interface PermissionSettings {
  /** Every rule found, for /permissions. */
  listed: ListedRule[];
  /** bypassPermissions from the person's own settings: as --yes. */
  bypass: boolean;
  /** The defaultMode in force and its file, when one is set. */
  defaultMode?: { mode: string; source: string; scope: "user" | "project" };
  /** One line per file or rule that could not be used. */
  problems: string[];
  /** True when the project's allow rules and domains apply. */
  projectTrusted: boolean;
  /** The rules in force now. */
  rules(): PermissionRules;
  /** Domains allowed by settings (the project's only once trusted). */
  allowedDomains(): string[];
  /** The project's allow rules and domains that wait for the person's trust ([] when none or trusted). */
  untrusted(): string[];
  /** Trust the project's allow rules now and remember it; false when it could not be saved. */
  trust(): boolean;
  /** Why reading `absolute` is denied (the rule and its file), or undefined. */
  readDenied(absolute: string): string | undefined;
}

const MODES: readonly string[] = PERMISSION_MODES;
const TRUST_STORE = "trusted-permissions.json";

export interface SettingsPlaces {
  workspace: string;
  configDir: string;
  dataDir: string;
  /** Folder holding Claude Code's user settings (default ~/.claude). */
  claudeDir?: string;
}

/** Contract: never throws; a missing file is silence, a bad file or rule is one problem line. */
export function loadPermissions(places: SettingsPlaces): PermissionSettings {
  const home = process.env.HOME;
  const claudeDir = places.claudeDir ?? (home ? join(home, ".claude") : undefined);
  const userFiles = [join(places.configDir, "settings.json"), ...(claudeDir ? [join(claudeDir, "settings.json")] : [])];
  const files: Array<{ file: string; scope: ListedRule["scope"] }> = [
    ...[...new Set(userFiles)].map((file) => ({ file, scope: "user" as const })),
    ...PROJECT_SETTINGS.map((file) => ({ file: join(places.workspace, file), scope: "project" as const })),
  ];
  const listed: ListedRule[] = [];
  const domains: Array<{ domain: string; scope: ListedRule["scope"] }> = [];
  const problems: string[] = [];
  let defaultMode: PermissionSettings["defaultMode"];
  let bypass = false;
  for (const { file, scope } of files) {
    const settings = readSettings(file, problems);
    if (!settings) continue;
    const permissions = settings.permissions;
    if (permissions !== undefined && !isObject(permissions)) problems.push(`${file}: "permissions" is not an object; ignored.`);
    if (isObject(permissions)) {
      for (const list of ["allow", "deny", "ask"] as const) {
        const entries = permissions[list];
        if (entries === undefined) continue;
        if (!Array.isArray(entries)) {
          problems.push(`${file}: permissions.${list} is not a list; ignored.`);
          continue;
        }
        for (const text of entries) {
          const rule = parseRule(text, places.workspace, file);
          if (typeof rule === "string") problems.push(`${file}: permissions.${list} rule ${JSON.stringify(text)} ignored: ${rule}.`);
          else listed.push({ rule, list, scope });
        }
      }
      const mode = permissions.defaultMode;
      if (mode !== undefined) {
        if (typeof mode !== "string" || !MODES.includes(mode)) problems.push(`${file}: defaultMode ${JSON.stringify(mode)} is not one of ${MODES.join(", ")}; ignored.`);
        else if (mode === "bypassPermissions" && scope === "project") problems.push(`${file}: defaultMode bypassPermissions is ignored in a project's settings; only your own settings may turn questions off.`);
        else if (mode === "acceptEdits" && scope === "project") problems.push(`${file}: defaultMode acceptEdits is ignored in a project's settings; only your own settings may let edits run unasked.`);
        else if (scope === "user" || mode === "plan" || (mode === "dontAsk" && defaultMode?.mode !== "plan")) {
          // A project's may only take power away: its "default" or "auto" does not undo your plan or dontAsk, nor its dontAsk your plan.
          // Otherwise later files win: the project's over the person's, .local over the shared one (Claude Code's order).
          defaultMode = { mode, source: file, scope };
          if (mode === "auto") problems.push(`${file}: defaultMode "auto" is not a mode here; "default" applies.`);
        }
      }
    }
    const allowed = isObject(settings.sandbox) && isObject(settings.sandbox.network) ? settings.sandbox.network.allowedDomains : undefined;
    if (Array.isArray(allowed)) for (const domain of allowed) if (typeof domain === "string" && domain.trim()) domains.push({ domain: domain.trim(), scope });
  }
  bypass = defaultMode?.mode === "bypassPermissions";
  const projectAllow = () => [
    ...listed.filter((entry) => entry.scope === "project" && entry.list === "allow").map((entry) => `${entry.rule.text} (${entry.rule.source})`),
    ...domains.filter((entry) => entry.scope === "project").map((entry) => `domain ${entry.domain}`),
  ];
  const fingerprint = createHash("sha256").update(JSON.stringify(projectAllow())).digest("hex");
  let projectTrusted = projectAllow().length === 0 || isTrusted(places.dataDir, places.workspace, fingerprint, TRUST_STORE);
  const applies = (entry: { scope: ListedRule["scope"] }) => entry.scope === "user" || projectTrusted;
  const of = (list: RuleList) => listed.filter((entry) => entry.list === list && (list !== "allow" || applies(entry))).map((entry) => entry.rule);
  return {
    listed,
    bypass,
    defaultMode,
    problems,
    get projectTrusted() {
      return projectTrusted;
    },
    rules: () => ({ allow: of("allow"), deny: of("deny"), ask: of("ask") }),
    allowedDomains: () => domains.filter(applies).map((entry) => entry.domain),
    untrusted: () => (projectTrusted ? [] : projectAllow()),
    trust: () => {
      projectTrusted = true;
      return rememberTrust(places.dataDir, places.workspace, fingerprint, TRUST_STORE);
    },
    readDenied: (absolute) => {
      const rule = of("deny").find((candidate) => ruleMatches(candidate, { kind: "read", tool: "grep", path: absolute }));
      return rule && `"${rule.text}" (${rule.source})`;
    },
  };
}

function readSettings(file: string, problems: string[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") problems.push(`${file}: cannot be read (${(error as Error).message}); its permissions are ignored.`);
    return undefined;
  }
  try {
    const settings = JSON.parse(text) as unknown;
    if (isObject(settings)) return settings;
    problems.push(`${file}: not a JSON object; its permissions are ignored.`);
  } catch (error) {
    problems.push(`${file}: ${(error as Error).message}; its permissions are ignored.`);
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
