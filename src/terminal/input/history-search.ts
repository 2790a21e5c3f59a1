import type { Interface } from "node:readline";

/**
 * Ctrl-R at the prompt: a reverse search through the input history, as in a shell. What is typed
 * narrows it, Ctrl-R again finds an older match, Backspace widens it; Enter sends the match, Esc,
 * Ctrl-G or Ctrl-C put the line back as it was, and any other key (an arrow, Ctrl-A, Ctrl-E)
 * keeps the match in the line to edit and then does what it does.
 */

/** One key: an escape sequence whole, or one character. */
const KEY = /\x1b\r|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1bO.|\x1b.|\x1b|[\s\S]/gu;
const CTRL_R = "\x12";
const CANCEL = new Set(["\x1b", "\x07", "\x03"]);

export class HistorySearch {
  private active = false;
  private query = "";
  /** Index in readline's history (newest first) of the match shown; -1: none yet. */
  private index = -1;
  private saved = { line: "", prompt: "" };

  constructor(private readonly rl: Interface) {}

  /** Keys typed at the prompt: the search's are taken; returns the rest, for readline. */
  filter(data: string): string {
    if (!this.active && !data.includes(CTRL_R)) return data;
    let rest = "";
    for (const key of data.match(KEY) ?? []) {
      if (!this.active) {
        if (key !== CTRL_R) rest += key;
        else {
          // What came before Ctrl-R in the same read is in the line it searches from.
          if (rest) this.rl.write(rest);
          rest = "";
          this.start();
        }
      } else if (key === CTRL_R) this.find(this.index + 1);
      else if (key === "\x7f" || key === "\b") {
        this.query = this.query.slice(0, -1);
        this.find(0);
      } else if (CANCEL.has(key)) this.end(this.saved.line);
      else if (/^[^\x00-\x1f\x7f]/u.test(key) && !key.startsWith("\x1b")) {
        this.query += key;
        this.find(Math.max(this.index, 0));
      } else {
        // Enter sends the match; any other key edits it.
        this.end(this.match());
        rest += key;
      }
    }
    return rest;
  }

  private start(): void {
    this.active = true;
    this.query = "";
    this.index = -1;
    this.saved = { line: this.rl.line, prompt: this.rl.getPrompt() };
    this.draw(this.rl.line, false);
  }

  /** Show the newest entry at or after `from` that holds the query; if none, keep the last match. */
  private find(from: number): void {
    const history = this.history();
    const needle = this.query.toLowerCase();
    for (let i = from; i < history.length; i++) {
      if (needle && history[i].toLowerCase().includes(needle)) {
        this.index = i;
        return this.draw(history[i], false);
      }
    }
    this.draw(this.match(), Boolean(needle));
  }

  private match(): string {
    return this.index >= 0 ? (this.history()[this.index] ?? this.saved.line) : this.saved.line;
  }

  private end(line: string): void {
    this.active = false;
    this.rl.setPrompt(this.saved.prompt);
    this.setLine(line);
  }

  private draw(line: string, failing: boolean): void {
    this.rl.setPrompt(`(${failing ? "failing " : ""}reverse-i-search)'${this.query}': `);
    this.setLine(line);
  }

  /** Replace the line being edited and redraw prompt and line, the cursor at the end. */
  private setLine(line: string): void {
    const rl = this.rl as unknown as { line: string; cursor: number };
    rl.line = line;
    rl.cursor = line.length;
    this.rl.prompt(true);
  }

  private history(): string[] {
    return (this.rl as unknown as { history?: string[] }).history ?? [];
  }
}
