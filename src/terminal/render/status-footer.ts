import { fitLine } from "./tool-lines.js";

/**
 * A few lines of status kept just below whatever is being written to a terminal: today, the input
 * queued during a turn. The stream's `write` is wrapped so that the footer is erased before every
 * write and drawn again after it, one row below the cursor, and the cursor put back where the
 * write left it. So the conversation, the spinner and live Markdown write as if it were not there.
 *
 * The cursor's column is followed through every write, wrapping as the terminal wraps, so the
 * footer stays up while a long paragraph streams. When the column cannot be known for sure (a
 * character whose width terminals disagree on) the footer waits for the next line start, and it
 * waits a character while a row is exactly full (the terminal's pending wrap, which drawing would
 * lose), rather than put the cursor in the wrong place.
 */
export class StatusFooter {
  private text = "";
  private drawn = false;
  private suspended = false;
  /** Cursor column after the last write (`columns` while a full row waits to wrap); undefined when it is not known exactly. */
  private column: number | undefined = 0;
  private readonly rawWrite: NodeJS.WriteStream["write"];

  /** `canDraw`: whether the row below the cursor is free now (at the prompt: the cursor is at the end of the input). */
  canDraw: () => boolean = () => true;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.rawWrite = out.write.bind(out) as NodeJS.WriteStream["write"];
    // Terminals reflow rows on a resize: the column is unknown until the next line start.
    out.on?.("resize", () => (this.column = undefined));
    out.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      if (!this.text || this.suspended) {
        this.follow(chunk);
        return (this.rawWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
      }
      this.erase();
      const ok = (this.rawWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
      this.follow(chunk);
      this.draw();
      return ok;
    }) as NodeJS.WriteStream["write"];
  }

  /** Shows `text` (one line or several) below the cursor; an empty string removes the footer. */
  set(text: string): void {
    if (text === this.text) return;
    this.erase();
    this.text = text;
    if (!this.suspended) this.draw();
  }

  /** Hides the footer while something else owns the bottom of the screen (a question). */
  suspend(): void {
    this.erase();
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    // After a question readline leaves the cursor at the start of a fresh line.
    this.column = 0;
    this.draw();
  }

  private draw(): void {
    if (this.drawn || !this.text || this.suspended || this.column === undefined || !this.canDraw()) return;
    const columns = this.out.columns || 80;
    if (this.column >= columns) return;
    // Cut by display width: typed CJK or emoji counted by characters would wrap a line onto a second row.
    const lines = this.text.split("\n").map((line) => fitLine(line, columns));
    // Relative moves stay right when drawing the lines scrolls the screen.
    const drawn = lines.map((line) => `\n\x1b[2K\x1b[2m${line}\x1b[22m`).join("");
    this.rawWrite(`${drawn}\x1b[${lines.length}A\x1b[${this.column + 1}G`);
    this.drawn = true;
  }

  private erase(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.rawWrite(`\x1b[1B\r\x1b[J\x1b[1A\x1b[${(this.column ?? 0) + 1}G`);
  }

  /** Follows the cursor column through `chunk`. */
  private follow(chunk: string | Uint8Array): void {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const columns = this.out.columns || 80;
    // eslint-disable-next-line no-control-regex
    for (const token of text.match(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b.|[\s\S]/gu) ?? []) {
      if (token === "\n" || token === "\r") this.column = 0;
      else if (token.startsWith("\x1b[") && token.endsWith("G")) this.column = Math.max(0, (Number(token.slice(2, -1)) || 1) - 1);
      // readline moves the cursor along the input with relative moves (arrows, Ctrl-A, its redraw).
      else if (token.startsWith("\x1b[") && /[CD]$/.test(token) && this.column !== undefined) {
        const by = Number(token.slice(2, -1)) || 1;
        this.column = token.endsWith("C") ? this.column + by : Math.max(0, this.column - by);
      }
      else if (token.startsWith("\x1b") || token === "\x07") continue;
      else if (token < " " || token === "\x7f") this.column = undefined;
      else if (this.column !== undefined) {
        const width = charWidth(token.codePointAt(0)!);
        // A character that does not fit the row goes to the start of the next one, as terminals wrap.
        if (width === undefined) this.column = undefined;
        else this.column = this.column + width > columns ? width : this.column + width;
      }
    }
  }
}

/** 1 or 2 columns, or undefined where terminals disagree (emoji presentation, joiners, combining marks). */
function charWidth(code: number): number | undefined {
  if (code < 0x300) return 1;
  if ((code >= 0x300 && code <= 0x36f) || code === 0x200d || code === 0xfe0f || (code >= 0x2600 && code <= 0x27bf)) return undefined;
  const wide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x1f000;
  return wide ? 2 : 1;
}
