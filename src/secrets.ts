/**
 * The person's API key never reaches the model. A project can hold it (a .env the model reads or
 * greps), and a command can print it (`env`, a job's log), so every observation passes through
 * redactSecrets before it joins the history.
 *
 * A module-level setting rather than a ToolContext field: the key is one per process, set once at
 * start-up, and every route to the model (tool results, background-job notices) must use it.
 */

export const REDACTED = "[redacted: API key]";

/** Shorter values are not keys (a local server's "x"), and redacting them would garble text. */
const MIN_SECRET_LENGTH = 8;

let secrets: string[] = [];

/** Contract: replaces the set of values to redact; undefined and short values are ignored. */
export function setSecrets(values: Array<string | undefined>): void {
  secrets = [...new Set(values.filter((v): v is string => typeof v === "string" && v.trim().length >= MIN_SECRET_LENGTH))]
    // Longest first, so a key that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
}

/** Contract: `text` with every literal occurrence of a configured secret replaced by REDACTED. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * Take the keys out of mini-claude's own environment once they are in the Config, so nothing
 * started later inherits them. /proc/<pid>/environ still shows the environment the process started
 * with: Node cannot rewrite that memory (see "Security model" in the README).
 */
export function forgetKeysFromEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  delete env.OPENAI_API_KEY;
  delete env.DEEPSEEK_API_KEY;
}
