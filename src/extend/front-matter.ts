/**
 * The `---` block at the top of a Markdown file (prompt templates, SKILL.md), read the way those
 * files use it: flat `key: value` lines; a list (`- item` lines, or `[a, b]`) arrives as one
 * comma-separated value. Anything richer (nesting) is skipped, not an error.
 */
export interface FrontMatter {
  fields: Record<string, string>;
  body: string;
}

export function parseFrontMatter(text: string): FrontMatter {
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text.replace(/^\uFEFF/, ""));
  if (!match) return { fields: {}, body: text };
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (const line of match[1].split(/\r?\n/)) {
    const pair = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(line);
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item && last) {
      fields[last] = fields[last] ? `${fields[last]}, ${unquote(item[1].trim())}` : unquote(item[1].trim());
    } else if (pair) {
      last = pair[1];
      // `key: >` or `key: |` starts a block of indented lines.
      const value = pair[2].trim();
      fields[last] = /^[>|][+-]?$/.test(value) ? "" : /^\[.*\]$/.test(value) ? value.slice(1, -1).split(",").map((part) => unquote(part.trim())).join(", ") : unquote(value);
    } else if (last && /^\s+\S/.test(line)) {
      // An indented line continues the value before it (YAML's folded lines).
      fields[last] = `${fields[last]} ${line.trim()}`.trim();
    } else {
      last = undefined;
    }
  }
  return { fields, body: text.slice(match[0].length + (text.startsWith("\uFEFF") ? 1 : 0)) };
}

function unquote(value: string): string {
  if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) return value.slice(1, -1);
  return value;
}
