/**
 * Cuts streamed Markdown into pieces that render correctly on their own, so a colour terminal
 * can show the answer as it arrives: ordinary lines go as soon as they end; a code fence, a
 * table or a list waits until it is complete (a list item rendered alone would be renumbered).
 */
export class MarkdownBlocks {
  private partial = "";
  private block: string[] = [];
  private kind: "fence" | "table" | "list" | undefined;

  /** Feed streamed text; returns the pieces that are now complete. */
  push(text: string): string[] {
    this.partial += text;
    const ready: string[] = [];
    let newline = this.partial.indexOf("\n");
    while (newline !== -1) {
      this.addLine(this.partial.slice(0, newline), ready);
      this.partial = this.partial.slice(newline + 1);
      newline = this.partial.indexOf("\n");
    }
    return ready;
  }

  /** The kind of block open now, if any. */
  get open(): "fence" | "table" | "list" | undefined {
    return this.kind;
  }

  /** Text received but not yet released as a piece (an open block and the unfinished line). */
  get pending(): string {
    return this.block.map((line) => `${line}\n`).join("") + this.partial;
  }

  /**
   * The complete part of an open block as a piece of its own, so a block taller than the screen
   * can be rendered a screenful at a time (undefined when there is none yet): a code fence's lines
   * so far, closed, the fence staying open for the lines to come (trailing blank lines wait, since
   * a rendered piece loses them); a list's items before its last top-level one (an ordered list
   * goes on from its number). A table is never cut: its columns are sized from all its rows.
   */
  cut(): string | undefined {
    if (this.kind === "fence") {
      let end = this.block.length;
      while (end > 1 && !this.block[end - 1].trim()) end--;
      if (end < 2) return undefined;
      const opener = this.block[0];
      const piece = [...this.block.slice(0, end), opener.match(/^\s*(`{3,}|~{3,})/)![0]].join("\n");
      this.block = [opener, ...this.block.slice(end)];
      return piece;
    }
    if (this.kind === "list") {
      const indent = indentOf(this.block[0]);
      let at = this.block.length - 1;
      while (at > 0 && !(ITEM.test(this.block[at]) && indentOf(this.block[at]) <= indent)) at--;
      if (at < 1) return undefined;
      const piece = this.block.slice(0, at).join("\n");
      this.block = this.block.slice(at);
      return piece;
    }
    return undefined;
  }

  /** The end of the reply: whatever is left, as one last piece (or none). */
  end(): string[] {
    const ready: string[] = [];
    if (this.partial) this.addLine(this.partial, ready);
    this.partial = "";
    this.flushBlock(ready);
    return ready;
  }

  private addLine(line: string, ready: string[]): void {
    if (this.kind === "fence") {
      this.block.push(line);
      if (closesFence(this.block[0], line)) this.flushBlock(ready);
      return;
    }
    const kind = /^\s*(```|~~~)/.test(line) ? "fence" : /^\s*\|/.test(line) ? "table" : isListLine(line, this.kind === "list") ? "list" : undefined;
    if (kind === "fence" || kind !== this.kind) this.flushBlock(ready);
    if (kind) {
      this.kind = kind;
      this.block.push(line);
      return;
    }
    ready.push(line);
  }

  private flushBlock(ready: string[]): void {
    if (this.block.length) ready.push(this.block.join("\n"));
    this.block = [];
    this.kind = undefined;
  }
}

/** A closing fence: the opener's character, at least as many of them, nothing after (CommonMark). */
function closesFence(opener: string, line: string): boolean {
  const fence = opener.trimStart().match(/^(`{3,}|~{3,})/)![0];
  const close = line.trim();
  return close.length >= fence.length && close === fence[0].repeat(close.length);
}

const ITEM = /^\s*([-*+]|\d+[.)])\s+/;

const indentOf = (line: string) => line.length - line.trimStart().length;

/** A list item, or an indented continuation of the list already open. */
function isListLine(line: string, inList: boolean): boolean {
  if (ITEM.test(line)) return true;
  return inList && /^\s{2,}\S/.test(line);
}
