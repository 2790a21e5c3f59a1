import type { PromptTemplate } from "./load.js";

/** Each `!{…}` of a Gemini CLI template, its braces balanced (`awk '{print $1}'`, `{{args}}`), as Gemini reads them. */
export function geminiCommandTokens(text: string): string[] {
  const tokens: string[] = [];
  for (let start = text.indexOf("!{"); start !== -1; start = text.indexOf("!{", start + 2)) {
    let depth = 0;
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}" && --depth === 0) {
        tokens.push(text.slice(start, i + 1));
        start = i - 1;
        break;
      }
    }
  }
  return tokens;
}

/**
 * A template with the person's arguments filled in. Markdown templates take `$ARGUMENTS` (all of
 * them) and `$1`…`$9` (one word each; "quoted words" count as one); Gemini CLI's take `{{args}}`.
 * A template that uses none of these gets the arguments appended, so nothing typed is lost.
 * Shell commands (!`cmd`, !{cmd}) are left for prepare.ts, which decides whether they run;
 * inside Gemini's !{…} the arguments are shell-quoted, as Gemini CLI does.
 */
export function expandTemplate(template: Pick<PromptTemplate, "body" | "syntax">, args: string): string {
  const text = args.trim();
  if (template.syntax === "gemini") {
    const quoted = `'${text.replace(/'/g, `'\\''`)}'`;
    let body = template.body;
    for (const token of geminiCommandTokens(template.body)) body = body.split(token).join(token.split("{{args}}").join(quoted));
    if (template.body.includes("{{args}}")) return body.split("{{args}}").join(text);
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
