import { MarkdownBlocks } from "./markdown-blocks.js";
import { stripControls } from "../sanitize.js";

/**
 * Streams Markdown to a colour terminal so that text appears as it arrives and is still rendered:
 * raw text is echoed at once, and as soon as a piece is complete (a line, or a whole list, table
 * or code block) the raw echo is erased and replaced by the rendered piece. When the raw text has
 * scrolled past the top of the screen it cannot be erased, so it stays as it is.
 */
export class LiveMarkdown {
  private readonly blocks = new MarkdownBlocks();
  /** Raw text on screen that the next rendered piece replaces. */
  private shown = "";

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly render: (markdown: string) => Promise<string>,
  ) {}

  async push(delta: string): Promise<void> {
    const text = stripControls(delta);
    const pieces = this.blocks.push(text);
    if (pieces.length === 0) {
      this.out.write(text);
      this.shown += text;
      return;
    }
    await this.replace(pieces, text);
  }

  /** The reply ended: render what is left. Afterwards the cursor is at the start of a line. */
  async end(): Promise<void> {
    const pieces = this.blocks.end();
    if (pieces.length) await this.replace(pieces, "");
    else if (this.shown && !this.shown.endsWith("\n")) this.out.write("\n");
    this.shown = "";
  }

  private async replace(pieces: string[], delta: string): Promise<void> {
    const columns = this.out.columns || 80;
    const up = rowsAboveCursor(this.shown, columns);
    if (up >= (this.out.rows || 24) - 1) {
      // Scrolled out of reach: keep the raw text rather than leave half of it doubled.
      this.out.write(delta);
      this.shown = this.blocks.pending;
      return;
    }
    let rendered = "";
    for (const piece of pieces) {
      rendered += piece.trim() ? `${(await this.render(piece).catch(() => piece)).replace(/\n+$/, "")}\n` : "\n";
    }
    this.shown = this.blocks.pending;
    this.out.write(`${up ? `\x1b[${up}A` : ""}\r\x1b[J${rendered}${this.shown}`);
  }
}

/** How many rows the cursor is below the first row of `text` as the terminal wrapped it. */
export function rowsAboveCursor(text: string, columns: number): number {
  const lines = text.split("\n");
  const last = lines.pop()!;
  let rows = 0;
  for (const line of lines) rows += Math.max(1, Math.ceil(displayWidth(line) / columns));
  const width = displayWidth(last);
  // A line exactly as wide as the screen leaves the cursor on its row (deferred wrap).
  return rows + (width > 0 ? Math.floor((width - 1) / columns) : 0);
}

/** Columns a line takes: wide (CJK, emoji) characters count two, tabs eight. */
function displayWidth(line: string): number {
  let width = 0;
  for (const char of line) {
    const code = char.codePointAt(0)!;
    width += char === "\t" ? 8 - (width % 8) : code >= 0x1100 && isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}
