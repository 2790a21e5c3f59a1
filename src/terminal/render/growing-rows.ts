/**
 * The rows above the cursor for text that only grows, counted as it grows: each complete line is
 * measured once, and the open last line by the width of what was added to it. Streaming a reply
 * in small pieces so costs its length once, not its length at every piece (a 250-row table
 * streamed in 4-character pieces took 10 s when the whole echo was re-measured each time).
 *
 * Adding widths piece by piece can count a character split across pieces (an emoji joined by
 * U+200D) as wider than it is, never narrower: the count may run early, never late.
 */
export class GrowingRows {
  private columns = 0;
  /** Rows taken by the complete lines so far. */
  private rows = 0;
  private lastWidth = 0;

  constructor(private readonly displayWidth: (line: string) => number) {}

  /** Start over from `text` (what is on screen now) at `columns`. */
  reset(text: string, columns: number): void {
    this.columns = columns;
    this.rows = 0;
    this.lastWidth = 0;
    this.append(text);
  }

  /** `text` was added at the end. */
  append(text: string): void {
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (i > 0) {
        this.rows += Math.max(1, Math.ceil(this.lastWidth / this.columns));
        this.lastWidth = 0;
      }
      if (line) this.lastWidth += this.displayWidth(line);
    });
  }

  /** The columns the count was made at (a resize needs a reset). */
  get width(): number {
    return this.columns;
  }

  /** How many rows the cursor is below the text's first row (deferred wrap: a full last row keeps the cursor on it). */
  get aboveCursor(): number {
    return this.rows + (this.lastWidth > 0 ? Math.floor((this.lastWidth - 1) / this.columns) : 0);
  }
}
