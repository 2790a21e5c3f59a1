import type { HeldKey } from "./terminal-keys.js";

/**
 * What the person types while a turn runs. Nothing of it reaches the conversation stream or an
 * approval question: requests finished with Enter wait to be sent when the turn ends, and text
 * not yet sent goes back into the prompt as a draft. Ctrl-C or Esc drops it all.
 */
export class Typeahead {
  /** Requests finished with Enter, oldest first. */
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

  /** The footer line: what will be sent when the turn ends, and what is being typed. */
  footer(): string {
    if (this.empty) return "";
    const parts: string[] = [];
    if (this.requests.length) parts.push(`queued, sent when this turn ends: ${this.requests.map(compact).join(" ⏎ ")}`);
    if (this.draft) parts.push(`typing: ${compact(this.draft)}▏`);
    if (this.eof) parts.push("Ctrl-D: exiting when this turn ends");
    return `› ${parts.join(" · ")}`;
  }

  /**
   * Empties the queue: the requests finished with Enter as one request (joined by new lines),
   * the unfinished draft for the next prompt, and whether Ctrl-D asked to leave.
   */
  take(): { request?: string; draft: string; eof: boolean } {
    const request = this.requests.length ? this.requests.join("\n") : undefined;
    const { draft, eof } = this;
    this.requests = [];
    this.draft = "";
    this.eof = false;
    return { request, draft, eof };
  }

  /** Forgets everything; returns how many characters were dropped. */
  drop(): number {
    const { request, draft } = this.take();
    return (request?.length ?? 0) + draft.length;
  }
}

/** One line for a queued text: a long or multi-line one is summarised. */
export function compact(text: string): string {
  const lines = text.replace(/\n+$/, "").split("\n");
  if (lines.length > 1) return `[${lines.length} lines]`;
  return lines[0];
}
