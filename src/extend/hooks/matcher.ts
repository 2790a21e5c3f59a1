import { claudeNamesOf } from "../../claude-names.js";

/**
 * Which events a hook's `matcher` selects. Claude Code's matchers name its own tools, so each of
 * ours also answers to its Claude Code names (claude-names.ts): a formatter hooked on "Edit|Write"
 * runs after edit_file and write_file here. Events without tools match on their own subject
 * (SessionStart's source, Notification's type), as in Claude Code.
 */

/**
 * Contract: an empty, missing or "*" matcher selects everything; otherwise the matcher is a
 * regular expression over the whole name, tried on `subject` and on each Claude Code name for it.
 * A matcher that is not a valid expression matches only names equal to it.
 */
export function matchesTool(matcher: string | undefined, subject: string): boolean {
  if (matcher === undefined || matcher === "" || matcher === "*") return true;
  const names = [subject, ...claudeNamesOf(subject)];
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${matcher})$`);
  } catch {
    return names.includes(matcher);
  }
  return names.some((name) => pattern.test(name));
}
