import { join } from "node:path";
import type { Config } from "../../config/config.js";
import { Hooks, type HookSession } from "./hooks.js";
import { loadHookSettings, type HookSettings } from "./settings.js";
import { hooksFingerprint, isTrusted, rememberTrust } from "./trust.js";

/**
 * The session's hooks from the person's settings and the project's, with the trust decision made
 * where it can be made without asking: user hooks always run; project hooks run when trusted
 * before (same content) or with --trust-project-hooks. The REPL asks about the rest
 * (terminal/hooks-trust.ts); --print says on stderr that they did not run.
 */
export interface SessionHooks {
  hooks: Hooks;
  /** Trust the project's hooks now and remember it; false when the decision could not be saved. */
  trust(): boolean;
}

/** Contract: undefined when no settings file defines any hook; never throws for a bad settings file (`warn` gets one line). */
export function setUpHooks(config: Config, session: HookSession, warn: (line: string) => void): SessionHooks | undefined {
  const home = process.env.HOME;
  const userFiles = [join(config.configDir, "settings.json"), ...(home ? [join(home, ".claude", "settings.json")] : [])];
  const settings = loadHookSettings(config.workspace, [...new Set(userFiles)]);
  for (const problem of settings.problems) warn(problem);
  const ignored = ignoredLine(settings.ignored);
  if (ignored) warn(ignored);
  if (settings.commands.length === 0) return undefined;
  const fingerprint = hooksFingerprint(settings.commands.filter((hook) => hook.scope === "project"), config.workspace);
  const projectTrusted = config.trustProjectHooks || isTrusted(config.dataDir, config.workspace, fingerprint);
  // The mode the session starts in (a later /plan or SDK switch is not re-read here).
  const permissionMode = config.yes ? "bypassPermissions" : (config.claude?.permissionMode ?? "default");
  const hooks = new Hooks(settings, { cwd: config.workspace, session, warn, projectTrusted, permissionMode });
  return {
    hooks,
    trust: () => {
      hooks.trustProject();
      return rememberTrust(config.dataDir, config.workspace, fingerprint);
    },
  };
}

/** One line naming every configured event mini-claude does not run, or undefined when there is none. */
export function ignoredLine(ignored: HookSettings["ignored"]): string | undefined {
  if (!ignored.length) return undefined;
  const events = [...new Set(ignored.map(({ event }) => event))].join(", ");
  const files = [...new Set(ignored.map(({ source }) => source))].join(", ");
  return `hooks for ${events} (in ${files}) do not run: mini-claude runs "command" hooks at its own events only; /hooks lists what runs.`;
}
