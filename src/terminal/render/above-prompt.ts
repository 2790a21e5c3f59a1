import { clearScreenDown, cursorTo, moveCursor, type Interface } from "node:readline";

/**
 * Writes `text` (whole lines) above the line readline is editing, then draws the prompt and what
 * has been typed so far again below it, the cursor where it was. So a notice that arrives while
 * the person types (a background job ended) neither lands inside their line nor wipes it.
 *
 * Contract: call only while readline shows its prompt (a request or an answer is awaited) on a
 * terminal; the line may wrap over several rows.
 */
export function writeAbovePrompt(rl: Interface, out: NodeJS.WriteStream, text: string): void {
  // The cursor may be on any row of a wrapped line: go to the row the prompt starts on.
  const { rows } = rl.getCursorPos();
  if (rows > 0) moveCursor(out, 0, -rows);
  cursorTo(out, 0);
  clearScreenDown(out);
  out.write(`${text}\n`);
  // readline redraws from the row it last drew the cursor on, which is gone now: the prompt
  // starts afresh on this row. `prevRows` is readline's own record of that row.
  (rl as unknown as { prevRows: number }).prevRows = 0;
  rl.prompt(true);
}
