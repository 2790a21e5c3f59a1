/**
 * A template's `allowed-tools` front matter, in Claude Code's rule syntax, as far as it concerns
 * the shell commands the template itself runs (`` !`cmd` ``, `!{cmd}`):
 *
 *   Bash                 any command
 *   Bash(git status)     exactly that command
 *   Bash(git diff:*)     `git diff` alone or followed by anything (Claude Code's prefix form)
 *   Bash(git log *)      the same, in Claude Code's newer wildcard form
 *
 * A prefix rule never covers a command with shell operators (`;`, `&&`, `|`, `$(`, redirections,
 * a second line): `git diff:*` must not let `git diff; curl … | sh` through. Rules for other tools
 * (Read, Edit…) cover no command.
 */

export type CommandRule = { kind: "any" } | { kind: "exact"; command: string } | { kind: "prefix"; prefix: string };

const OPERATORS = /[;&|<>`\n\r]|\$\(/;

/** The Bash rules of an `allowed-tools` value: a comma-separated string (a YAML list arrives joined the same way). */
export function commandRules(allowedTools: string | undefined): CommandRule[] {
  if (!allowedTools) return [];
  const rules: CommandRule[] = [];
  for (const match of allowedTools.matchAll(/\bBash(?:\(([^)]*)\))?/g)) {
    const inside = match[1]?.trim();
    if (inside === undefined || inside === "" || inside === "*") rules.push({ kind: "any" });
    else if (inside.endsWith(":*")) rules.push({ kind: "prefix", prefix: inside.slice(0, -2).trim() });
    else if (inside.endsWith(" *")) rules.push({ kind: "prefix", prefix: inside.slice(0, -2).trim() });
    else rules.push({ kind: "exact", command: inside });
  }
  return rules;
}

/** Whether one of `rules` lets the template run `command`. */
export function covers(rules: CommandRule[], command: string): boolean {
  const text = command.trim().replace(/[ \t]+/g, " ");
  return rules.some((rule) => {
    if (rule.kind === "any") return true;
    if (rule.kind === "exact") return text === rule.command;
    return !OPERATORS.test(text) && (text === rule.prefix || text.startsWith(`${rule.prefix} `));
  });
}

/** The rules as the person reads them, for a refusal. */
export function describeRules(rules: CommandRule[]): string {
  if (!rules.length) return "no Bash rule";
  return rules.map((rule) => (rule.kind === "any" ? "Bash" : rule.kind === "exact" ? `Bash(${rule.command})` : `Bash(${rule.prefix}:*)`)).join(", ");
}
