/**
 * What of mini-claude's environment a command inherits. A command's output reaches the model, so a
 * credential in its environment is one `env` (or one injected `curl -d "$GITHUB_TOKEN"`) away from
 * the model and whoever steers it. Commands, background jobs and hooks therefore get no variable
 * that looks like a credential or a door to one (an agent socket, a session bus, a cluster or
 * Docker endpoint), unless the person names it: MINI_CLAUDE_PASS_ENV=NAME,NAME (in the environment
 * or the config folder's .env). mini-claude's own keys never pass.
 *
 * A module-level setting, as secrets.ts's: the pass list is one per process, set once at start-up,
 * and every place that starts a process (processes/spawn.ts's commandEnv) must use it.
 */

/** `*_TOKEN`, `*_KEY`, `*_SECRET`, `*_PASSWORD`, `*_PASSWD`, `*_PASS`, `*_CREDENTIALS` (a suffix after `_`: MONKEY is not a key). */
const CREDENTIAL_SUFFIX = /_(TOKEN|KEY|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS)$/i;
/** Whole families: every AWS_ and AZURE_ variable configures or carries a cloud credential. */
const CREDENTIAL_PREFIX = /^(AWS|AZURE)_/i;
/** Names with no telltale suffix that hold a credential or reach something that acts with one. */
const CREDENTIAL_NAMES = new Set([
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "NPM_TOKEN",
  "GOOGLE_APPLICATION_CREDENTIALS",
  "SSH_AUTH_SOCK",
  "GPG_AGENT_INFO",
  "DBUS_SESSION_BUS_ADDRESS",
  "KUBECONFIG",
  "DOCKER_HOST",
]);

/** mini-claude's own keys: withheld even when named, since the model must never hold them. */
const OWN_KEYS = /^(OPENAI_API_KEY|DEEPSEEK_API_KEY|MINI_CLAUDE_.*(KEY|TOKEN|SECRET|PASSWORD).*)$/i;

let passed: string[] = [];

/** Contract: true for a name that looks like a credential (see the lists above); PATH, HOME, TERM… are not. */
export function looksLikeCredential(name: string): boolean {
  return CREDENTIAL_SUFFIX.test(name) || CREDENTIAL_PREFIX.test(name) || CREDENTIAL_NAMES.has(name.toUpperCase()) || OWN_KEYS.test(name);
}

/** MINI_CLAUDE_PASS_ENV's names: comma- or space-separated; blanks dropped. */
export function parsePassList(text: string | undefined): string[] {
  return (text ?? "").split(/[\s,]+/).filter(Boolean);
}

/** Contract: replaces the names the person lets through (config.ts's passEnv), for every later command. */
export function setPassedVariables(names: string[]): void {
  passed = [...names];
}

/**
 * `base` without the variables that look like credentials, except those in `pass`; `withheld` names
 * what was taken out, sorted, for telling the model (never the values).
 */
export function commandEnvironment(base: NodeJS.ProcessEnv, pass: readonly string[] = passed): { env: NodeJS.ProcessEnv; withheld: string[] } {
  const env: NodeJS.ProcessEnv = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    const mayPass = pass.includes(name) && !OWN_KEYS.test(name);
    if (looksLikeCredential(name) && !mayPass) withheld.push(name);
    else env[name] = value;
  }
  return { env, withheld: withheld.sort() };
}

/**
 * One line for the model when `command` names a withheld variable (`$GITHUB_TOKEN`, `printenv
 * AWS_PROFILE`) or lists the environment (`env`, `printenv`): which names it did not get, and how
 * the person can pass one. Undefined otherwise, so the line costs tokens only where it explains
 * something the model would otherwise misread (an empty variable, a missing name).
 */
export function withheldNote(command: string, base: NodeJS.ProcessEnv = process.env): string | undefined {
  const { withheld } = commandEnvironment(base);
  if (withheld.length === 0) return undefined;
  const listsAll = /(^|[;&|(\s])(env|printenv|export\s+-p|declare\s+-x)\s*($|[;&|)>])/m.test(command);
  const named = listsAll ? withheld : withheld.filter((name) => new RegExp(`(?<!\\w)${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?!\\w)`).test(command));
  if (named.length === 0) return undefined;
  return `[Not in this command's environment, as credentials: ${named.join(", ")}. Only the user can pass one, with MINI_CLAUDE_PASS_ENV=NAME.]`;
}
