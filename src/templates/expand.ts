import type { PromptTemplate } from "./load.js";

/**
 * A template with the person's arguments filled in. Markdown templates take `$ARGUMENTS` (all of
 * them) and `$1`…`$9` (one word each; "quoted words" count as one); Gemini CLI's take `{{args}}`.
 * A template that uses none of these gets the arguments appended, so nothing typed is lost.
 * Nothing else is interpreted: Claude Code's !`command` and Gemini's !{command} stay text,
 * because a file in a repository must not run commands by being expanded.
 */
export function expandTemplate(template: PromptTemplate, args: string): string {
  const text = args.trim();
  if (template.syntax === "gemini") {
    if (template.body.includes("{{args}}")) return template.body.split("{{args}}").join(text);
    return text ? `${template.body}\n\n${text}` : template.body;
  }
  const words = splitArguments(text);
  let used = false;
  const expanded = template.body.replace(/\$ARGUMENTS|\$([1-9])/g, (_, digit: string | undefined) => {
    used = true;
    return digit ? (words[Number(digit) - 1] ?? "") : text;
  });
  return used || !text ? expanded : `${expanded}\n\n${text}`;
}

/** Words separated by spaces; "double" or 'single' quotes keep spaces inside one word. */
export function splitArguments(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3]);
  return words;
}
