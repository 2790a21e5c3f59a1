import type { HeldKey } from "./keys.js";

/** Footer lines for queued entries; past this, one line says how many more there are. */
const SHOWN_ENTRIES = 4;

/**
 * What the person types while a turn runs. Nothing of it reaches the conversation stream or an
 * approval question: each line finished with Enter is its own entry (a request, a /command or a
 * !command), run in order when the turn ends, and text not yet sent goes back into the prompt as
 * a draft. A paste stays inside the entry it was pasted into. Ctrl-C drops it all; Esc puts the
 * entries back into the draft, to edit.
 */
export class Typeahead {
  /** Entries finished with Enter, oldest first. */
  private requests: string[] = [];
  /** What is being typed now (may hold new lines from Alt+Enter or a paste). */
  private draft = "";
  /** Ctrl-D on an empty line: leave once the turn ends, as at the prompt. */
  private eof = false;

  /** Applies one key; "interrupt" and "suspend" are for the caller to act on. */
  handle(key: HeldKey): "changed" | "interrupt" | "suspend" | "none" {
    switch (key.kind) {
      case "text":
        this.draft += key.text;
        return "changed";
      case "newline":
        this.draft += "\n";
        return "changed";
      case "enter":
        // `\` + Enter continues the entry, as at the prompt.
        if (/(^|[^\\])\\$/.test(this.draft)) {
          this.draft = `${this.draft.slice(0, -1)}\n`;
          return "changed";
        }
        if (this.draft.trim()) this.requests.push(this.draft);
        this.draft = "";
        return "changed";
      case "backspace":
        if (!this.draft) return "none";
        this.draft = [...this.draft].slice(0, -1).join("");
        return "changed";
      case "clear":
        this.draft = "";
        return "changed";
      case "eof":
        if (this.draft) return "none";
        this.eof = true;
        return "changed";
      case "interrupt":
        return "interrupt";
      case "suspend":
        return "suspend";
    }
  }

  paste(text: string): void {
    this.draft += text;
  }

  get empty(): boolean {
    return !this.requests.length && !this.draft && !this.eof;
  }

  /** The footer: one line per entry waiting to run, then what is being typed; "" when there is nothing. */
  footer(): string {
    if (this.empty) return "";
    const entries = this.requests;
    const lines = entries.slice(0, SHOWN_ENTRIES).map((entry, i) => `› queued${i ? "" : " (runs after this turn)"}: ${compact(entry)}`);
    if (entries.length > SHOWN_ENTRIES) lines.push(`› … and ${entries.length - SHOWN_ENTRIES} more queued`);
    if (this.draft) lines.push(`› typing: ${compact(this.draft)}▏`);
    if (this.eof) lines.push("› Ctrl-D: exiting when this turn ends");
    return lines.join("\n");
  }

  /** Entries and a begun line that readline took in before the turn held the keys. */
  addEarly(lines: string[], partial: string): void {
    this.requests.push(...lines.filter((line) => line.trim()));
    this.draft += partial;
  }

  /** How many entries wait to run. */
  get queued(): number {
    return this.requests.length;
  }

  /** The oldest entry waiting to run, taken off the queue. */
  shift(): string | undefined {
    return this.requests.shift();
  }

  /** Takes the unfinished draft, for the prompt (once no entry waits). */
  takeDraft(): string {
    const draft = this.draft;
    this.draft = "";
    return draft;
  }

  /** Ctrl-D was pressed during a turn: leave once the queue has run. */
  get leaving(): boolean {
    return this.eof;
  }

  /** Esc: the entries waiting to run go back into the draft (one line each), to edit rather than run. */
  keepForEditing(): void {
    this.draft = [...this.requests, this.draft].filter(Boolean).join("\n");
    this.requests = [];
    this.eof = false;
  }

  /** Forgets everything (an interrupt); returns how many entries and draft characters were dropped. */
  drop(): { entries: number; characters: number } {
    const dropped = { entries: this.requests.length, characters: this.draft.length };
    this.requests = [];
    this.draft = "";
    this.eof = false;
    return dropped;
  }
}

/** "2 queued entries and 5 characters being typed", for the line that says what an interrupt dropped. */
export function describeDropped({ entries, characters }: { entries: number; characters: number }): string {
  const parts = [entries && `${entries} queued ${entries === 1 ? "entry" : "entries"}`, characters && `${characters} characters being typed`];
  return parts.filter(Boolean).join(" and ");
}

/** One line for a queued text: a long or multi-line one is summarised. */
export function compact(text: string): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  if (lines.length > 1) return `[${lines.length} lines]`;
  return lines[0];
}
