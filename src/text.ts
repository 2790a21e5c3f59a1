/**
 * The small text helpers every wing needs: a message's text, a one-line summary, a clipped string.
 * A leaf: imports nothing of ours, so any file may use it.
 */

/** `text` cut to `max` characters, the cut marked with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** `text` with every run of whitespace (newlines too) made one space, clipped to `max`. */
export function oneLine(text: string, max: number): string {
  return clip(text.replace(/\s+/g, " ").trim(), max);
}

/** The first line of `text`, clipped to `max`. */
export function firstLine(text: string, max: number): string {
  return clip(text.split("\n", 1)[0], max);
}

/** The text of a chat message's content (a string, or the text parts of an array joined by `separator`). */
export function textOf(content: unknown, separator = "\n"): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join(separator);
}
