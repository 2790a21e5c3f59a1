import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Hook settings in Claude Code's format, read from where people already keep them, so a
 * settings file written for Claude Code works unchanged:
 *
 *   { "hooks": { "PostToolUse": [ { "matcher": "Edit|Write",
 *                                   "hooks": [ { "type": "command", "command": "npx prettier --write \"$FILE\"", "timeout": 30 } ] } ] } }
 *
 * Project files (.claude/settings.json, .claude/settings.local.json, .mini-claude/settings.json)
 * and user files (<config dir>/settings.json, ~/.claude/settings.json). A file that cannot be
 * read as such is one warning, never a failed start.
 */

/** Claude Code's events that have a meaning here; any other event in a settings file is named as ignored (HookSettings.ignored). */
export const HOOK_EVENTS = [
  "PreToolUse",
  "PermissionRequest",
  "PostToolUse",
  "PostToolUseFailure",
  "Notification",
  "UserPromptSubmit",
  "Stop",
  "SessionStart",
  "SessionEnd",
  "PreCompact",
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Claude Code's default: a minute per hook. */
export const DEFAULT_HOOK_TIMEOUT_MS = 60_000;

export interface HookCommand {
  event: HookEvent;
  /** Tool-name pattern (tool events), or the event's own subject (SessionStart's source, Notification's type); undefined, "" or "*": all. */
  matcher?: string;
  command: string;
  timeoutMs: number;
  /** The settings file it came from, for /hooks and the trust question. */
  source: string;
  scope: "project" | "user";
}

export interface HookSettings {
  commands: HookCommand[];
  /** One line per file that could not be used, for stderr or the banner. */
  problems: string[];
  /** Events configured that mini-claude does not run (SubagentStop, PostCompact, …), with their file. */
  ignored: Array<{ event: string; source: string }>;
}

export const PROJECT_SETTINGS = [".claude/settings.json", ".claude/settings.local.json", ".mini-claude/settings.json"];

/** Contract: never throws; a missing file is silence, an unreadable or malformed one is a problem line. */
export function loadHookSettings(workspace: string, userFiles: string[]): HookSettings {
  const commands: HookCommand[] = [];
  const problems: string[] = [];
  const ignored: HookSettings["ignored"] = [];
  const read = (file: string, scope: HookCommand["scope"]) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") problems.push(`${file}: cannot be read (${(error as Error).message}); its hooks are ignored.`);
      return;
    }
    try {
      const settings = JSON.parse(text) as unknown;
      commands.push(...parseHooks(settings, file, scope));
      ignored.push(...ignoredEvents(settings).map((event) => ({ event, source: file })));
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}; its hooks are ignored.`);
    }
  };
  for (const file of userFiles) read(file, "user");
  for (const file of PROJECT_SETTINGS) read(join(workspace, file), "project");
  return { commands, problems, ignored };
}

/**
 * What under `hooks` mini-claude does not run: events it has no moment for ("SubagentStop"), and
 * hooks of a type other than "command" ("PreToolUse prompt hooks"): a guard skipped in silence would be
 * a guard that allows everything.
 */
export function ignoredEvents(settings: unknown): string[] {
  const hooks = (settings as { hooks?: unknown } | null)?.hooks;
  if (typeof hooks !== "object" || hooks === null) return [];
  const ignored: string[] = [];
  for (const [event, groups] of Object.entries(hooks)) {
    if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
      ignored.push(event);
      continue;
    }
    const types = (Array.isArray(groups) ? groups : []).flatMap((group) => (Array.isArray(group?.hooks) ? group.hooks : [])).map((hook) => hook?.type);
    for (const type of new Set(types.filter((type) => type !== "command"))) ignored.push(`${event} ${typeof type === "string" ? type : "untyped"} hooks`);
  }
  return ignored;
}

/** The `hooks` key of one settings object. Events mini-claude does not run are skipped here and named by ignoredEvents. */
export function parseHooks(settings: unknown, source: string, scope: HookCommand["scope"]): HookCommand[] {
  if (typeof settings !== "object" || settings === null) throw new Error("not a JSON object");
  const hooks = (settings as { hooks?: unknown }).hooks;
  if (hooks === undefined) return [];
  if (typeof hooks !== "object" || hooks === null) throw new Error('"hooks" is not an object');
  const out: HookCommand[] = [];
  for (const [event, groups] of Object.entries(hooks)) {
    if (!(HOOK_EVENTS as readonly string[]).includes(event)) continue;
    if (!Array.isArray(groups)) throw new Error(`hooks.${event} is not a list`);
    for (const group of groups as Array<{ matcher?: unknown; hooks?: unknown }>) {
      const matcher = typeof group?.matcher === "string" ? group.matcher : undefined;
      if (!Array.isArray(group?.hooks)) throw new Error(`hooks.${event}: each entry needs a "hooks" list`);
      for (const hook of group.hooks as Array<{ type?: unknown; command?: unknown; timeout?: unknown }>) {
        if (hook?.type !== "command" || typeof hook.command !== "string" || !hook.command.trim()) continue;
        const seconds = typeof hook.timeout === "number" && hook.timeout > 0 ? hook.timeout : undefined;
        out.push({ event: event as HookEvent, matcher, command: hook.command, timeoutMs: seconds ? seconds * 1000 : DEFAULT_HOOK_TIMEOUT_MS, source, scope });
      }
    }
  }
  return out;
}
