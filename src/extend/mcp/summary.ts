import { clip } from "../../text.js";

/**
 * The person's one line for an MCP tool's result (the `└` line), where the text the model reads
 * would show nothing useful: JSON starts with `{`, and an error's first line is only the
 * server's "reported an error:". The model's text is render.ts's; this only picks what to show.
 */

const WIDTH = 100;

/** A result's one line: JSON (structured content, or text that is JSON) summarised by its fields, else the first line. */
export function resultLine(text: string, structured: unknown): string {
  const first = text.split("\n", 1)[0].trim();
  if (!/^[[{]/.test(first)) return clip(first, WIDTH);
  const value = structured ?? parseJson(text);
  return clip(value === undefined ? first : describe(value), WIDTH);
}

/** The first line of `text` that says something: not empty, not bare punctuation, not a lone "Error:". */
export function meaningfulLine(text: string): string | undefined {
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!/[\p{L}\p{N}]/u.test(line) || /^(error|exception|traceback[^:]*):?$/i.test(line)) continue;
    return /^[[{]/.test(line) ? resultLine(text.slice(text.indexOf(raw)), undefined) : clip(line, WIDTH);
  }
  return undefined;
}

/** `{"sum": 5, "items": [..3]}` → `sum: 5, items: 3 items`; an array → its length and its first item. */
function describe(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "no items";
    return `${count(value.length)}: ${describe(value[0])}${value.length > 1 ? ", …" : ""}`;
  }
  if (typeof value !== "object" || value === null) return scalar(value);
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  // One key holding a list or an object (a "result" wrapper): its content is the news.
  if (entries.length === 1 && typeof entries[0][1] === "object" && entries[0][1] !== null) return `${entries[0][0]}: ${describe(entries[0][1])}`;
  return entries.map(([key, item]) => `${key}: ${brief(item)}`).join(", ");
}

function brief(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "none" : count(value.length);
  if (typeof value === "object" && value !== null) return `{${Object.keys(value).slice(0, 3).join(", ")}${Object.keys(value).length > 3 ? ", …" : ""}}`;
  return scalar(value);
}

function scalar(value: unknown): string {
  if (typeof value === "string") return clip(value.split("\n", 1)[0], 40);
  return String(value);
}

function count(n: number): string {
  return n === 1 ? "1 item" : `${n} items`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
