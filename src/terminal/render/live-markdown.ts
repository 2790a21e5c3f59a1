import { MarkdownBlocks } from "./markdown-blocks.js";
import { stripControls } from "../../sanitize.js";
import { displayWidthNow, loadDisplayWidth } from "./display-width.js";
import { GrowingRows } from "./growing-rows.js";

/**
 * Streams Markdown to a colour terminal so that text appears as it arrives and is still rendered:
 * raw text is echoed at once, and as soon as a piece is complete (a line, or a whole list, table
 * or code block) the raw echo is erased and replaced by the rendered piece. A code block or a list
 * is rendered a screenful at a time, so one taller than the screen is rendered (highlighted) too.
 * A table's raw rows stop being echoed before they would scroll out of reach (its columns are
 * sized from all its rows, so it is rendered whole when it ends). Other raw text that has
 * scrolled past the top of the screen cannot be erased, so it stays as it is.
 *
 * Widths and heights are read from the stream at every step, so text rendered after a resize is
 * laid out at the new width, and the raw echo's rows are counted at it. One case is left raw: a
 * resize to fewer columns than a raw line already takes, since terminals then disagree on its rows
 * (most reflow it, xterm cuts it); erasing by a guess could erase the prompt or double a line.
 */
export class LiveMarkdown {
  private readonly blocks = new MarkdownBlocks();
  /** Raw text on screen that the next rendered piece replaces. */
  private shown = "";
  /** Text of an open table received but not echoed, since its raw rows would scroll out of reach. */
  private held = "";
  /** A resize made the rows of the raw text on screen uncertain. */
  private unsure = false;
  private atLineStart = true;
  /** Rows of `shown + held`, counted as they grow. */
  private echoRows?: GrowingRows;
  private readonly onResize = () => {
    const columns = this.out.columns || 80;
    if (this.shown.split("\n").some((line) => displayWidthNow(line) > columns)) this.unsure = true;
  };

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly render: (markdown: string) => Promise<string>,
  ) {
    out.on?.("resize", this.onResize);
  }

  async push(delta: string): Promise<void> {
    const text = stripControls(delta);
    const pieces = this.blocks.push(text);
    if (await this.nearlyOutOfReach(text)) {
      const part = this.blocks.cut();
      if (part) pieces.push(part);
      else if (pieces.length === 0 && this.blocks.open === "table") {
        this.held += text;
        return;
      }
    }
    if (pieces.length === 0) {
      const raw = this.held + text;
      this.held = "";
      this.write(raw);
      this.shown += raw;
      return;
    }
    await this.replace(pieces, text);
  }

  /** The reply ended: render what is left. Afterwards the cursor is at the start of a line. */
  async end(): Promise<void> {
    this.out.off?.("resize", this.onResize);
    const pieces = this.blocks.end();
    if (pieces.length) await this.replace(pieces, "");
    if (!this.atLineStart) this.write("\n");
    this.shown = "";
    this.echoRows = undefined;
  }

  /** With `added`, the raw echo is about to take more rows than can be erased. */
  private async nearlyOutOfReach(added: string): Promise<boolean> {
    const columns = this.out.columns || 80;
    this.echoRows ??= new GrowingRows(await loadDisplayWidth());
    // Counted from scratch only after a resize; otherwise only what was added is measured.
    if (this.echoRows.width !== columns) this.echoRows.reset(this.shown + this.held, columns);
    this.echoRows.append(added);
    return this.echoRows.aboveCursor >= (this.out.rows || 24) - 2;
  }

  private async replace(pieces: string[], delta: string): Promise<void> {
    const columns = this.out.columns || 80;
    const up = rowsAboveCursor(this.shown, columns, await loadDisplayWidth());
    if (this.unsure || up >= (this.out.rows || 24) - 1) {
      // Scrolled out of reach, or resized past it: keep the raw text rather than leave half of it doubled.
      this.write(this.held + delta);
      this.held = "";
      this.shown = this.blocks.pending;
      this.echoRows?.reset(this.shown, columns);
      if (!this.shown) this.unsure = false;
      return;
    }
    let rendered = "";
    for (const piece of pieces) {
      rendered += piece.trim() ? `${(await this.render(piece).catch(() => piece)).replace(/\n+$/, "")}\n` : "\n";
    }
    this.shown = this.blocks.pending;
    this.held = "";
    this.echoRows?.reset(this.shown, columns);
    this.write(`${up ? `\x1b[${up}A` : ""}\r\x1b[J${rendered}${this.shown}`);
  }

  private write(text: string): void {
    if (!text) return;
    this.out.write(text);
    this.atLineStart = text.endsWith("\n");
  }
}

/** How many rows the cursor is below the first row of `text` as the terminal wrapped it. */
export function rowsAboveCursor(text: string, columns: number, displayWidth: (line: string) => number): number {
  const lines = text.split("\n");
  const last = lines.pop()!;
  let rows = 0;
  for (const line of lines) rows += Math.max(1, Math.ceil(displayWidth(line) / columns));
  const width = displayWidth(last);
  // A line exactly as wide as the screen leaves the cursor on its row (deferred wrap).
  return rows + (width > 0 ? Math.floor((width - 1) / columns) : 0);
}
