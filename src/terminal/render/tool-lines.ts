import { stripControls } from "../../sanitize.js";
import { displayWidthNow } from "./display-width.js";
import { wrapText } from "./wrap.js";

/**
 * The layout of the lines under a tool call: its label cut to the terminal's width, and the few
 * lines of detail a tool gives the person (a command's output tail, the rest of an error),
 * indented under the outcome and wrapped (an error) or cut (output), so nothing wraps into a mess.
 */

/** Made when a line first needs cutting: building it loads ICU's break rules, ~9 ms at start-up. */
let graphemes: Intl.Segmenter | undefined;

/**
 * `text` cut with "…" to fit `columns` less `reserved` (what is printed before it) and one spare
 * column, counted by display width (an emoji or a CJK character takes two), never inside a
 * character (an accent stays with its letter, an emoji sequence whole); no width: unchanged.
 */
export function fitLine(text: string, columns: number | undefined, reserved = 0): string {
  if (!columns) return text;
  const room = Math.max(10, columns - reserved - 1);
  if (displayWidthNow(text) <= room) return text;
  let kept = "";
  let width = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  for (const { segment } of graphemes.segment(text)) {
    const next = width + displayWidthNow(segment);
    if (next > room - 1) break;
    kept += segment;
    width = next;
  }
  return `${kept}…`;
}

/**
 * Detail lines, indented under "  └ ": an error's wrapped by the one wrap rule (wrap.ts), so it is
 * read whole; a command's output tail each cut to the width (a minified line would fill the screen).
 */
export function detailLines(details: string, columns: number | undefined, paint: (text: string) => string, wrap = false): string {
  return details
    .split("\n")
    .map((line) => stripControls(line).replace(/\t/g, "  "))
    .map((line) => paint(wrap ? wrapText(`    ${line}`, columns) : `    ${fitLine(line, columns, 4)}`))
    .join("\n");
}
