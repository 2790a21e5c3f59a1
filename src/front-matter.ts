/**
 * The `---` block at the top of a Markdown file (prompt templates, SKILL.md), read the way those
 * files use it: flat `key: value` lines. Anything richer (lists, nesting) is skipped, not an error.
 */
export interface FrontMatter {
  fields: Record<string, string>;
  body: string;
}

export function parseFrontMatter(text: string): FrontMatter {
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text.replace(/^\uFEFF/, ""));
  if (!match) return { fields: {}, body: text };
  const fields: Record<string, string> = {};
  for (const line of match[1].split(/\r?\n/)) {
    const pair = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!pair) continue;
    fields[pair[1]] = unquote(pair[2].trim());
  }
  return { fields, body: text.slice(match[0].length + (text.startsWith("\uFEFF") ? 1 : 0)) };
}

function unquote(value: string): string {
  if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) return value.slice(1, -1);
  return value;
}
