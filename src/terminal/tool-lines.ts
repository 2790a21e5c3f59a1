import { stripControls } from "../sanitize.js";

/**
 * The layout of the lines under a tool call: its label cut to the terminal's width, and the few
 * lines of detail a tool gives the person (a command's output tail, the rest of an error),
 * indented under the outcome and each cut to the width, so nothing wraps into a mess.
 */

/** `text` cut with "…" to fit `columns` less `reserved` (what is printed before it); no width: unchanged. */
export function fitLine(text: string, columns: number | undefined, reserved = 0): string {
  if (!columns) return text;
  const room = Math.max(10, columns - reserved - 1);
  const chars = [...text];
  return chars.length > room ? `${chars.slice(0, room - 1).join("")}…` : text;
}

/** Detail lines, indented under "  └ " and each fitted to the width. */
export function detailLines(details: string, columns: number | undefined, paint: (text: string) => string): string {
  return details
    .split("\n")
    .map((line) => `    ${paint(fitLine(stripControls(line).replace(/\t/g, "  "), columns, 4))}`)
    .join("\n");
}
