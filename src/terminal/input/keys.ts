import { PassThrough } from "node:stream";
import { legacyKeys } from "./modified-keys.js";

/**
 * What a terminal's keystrokes mean before readline sees them. readline edits one line well but
 * knows nothing of bracketed paste, of a new line that does not send, of Esc as "stop", or of a
 * turn in progress; this filter sits between stdin and readline and handles those.
 *
 * Two modes. "line": bytes go on to readline (the prompt, an approval question), except that a
 * bracketed paste arrives whole (`onPaste`), Shift+Enter, Alt+Enter and Ctrl-J ask for a new line
 * without sending (`onNewline`, then an Enter), and a lone Esc clears the line (or answers a question, `onEscape`). "hold" (a turn is running):
 * nothing reaches readline; keys go to `onHeldKey` so they can be queued visibly, and a paste to
 * `onPaste` as well.
 */

export const PASTE_START = "\x1b[200~";
export const PASTE_END = "\x1b[201~";

/**
 * An Enter that starts a new line instead of sending: Alt+Enter (ESC CR), Ctrl-J (LF), and a
 * modified Enter where the terminal reports one: the CSI-u / kitty form `ESC [13;Mu` and xterm's
 * modifyOtherKeys form `ESC [27;M;13~`, M being 2 for Shift, 3 Alt, 5 Ctrl (and their sums).
 */
const NEWLINE_KEY = /\x1b\r|\n|\x1b\[13;(?:[2-9]|\d{2,})u|\x1b\[27;(?:[2-9]|\d{2,});13~/;
const NEWLINE_SPLIT = new RegExp(`(${NEWLINE_KEY.source})`);
const NEWLINE_WHOLE = new RegExp(`^(?:${NEWLINE_KEY.source})$`);
const isNewlineKey = (token: string) => NEWLINE_WHOLE.test(token);

export type HeldKey =
  | { kind: "text"; text: string }
  | { kind: "enter" }
  | { kind: "newline" }
  | { kind: "backspace" }
  | { kind: "clear" }
  | { kind: "interrupt"; key: "ctrl-c" | "esc" }
  | { kind: "suspend" }
  | { kind: "eof" };

export interface KeyHandlers {
  /** A whole paste, without its brackets. Returns the text to type into the line instead. */
  onPaste(text: string): string;
  /** Alt+Enter or Ctrl-J at the prompt: the Enter that follows continues the request. */
  onNewline(): void;
  onHeldKey(key: HeldKey): void;
  /** A lone Esc in line mode; true when it was taken (a question is up), else it clears the line. */
  onEscape?(): boolean;
  /** Keys in line mode before anything else sees them (Ctrl-R's search); returns what goes on. */
  onLineKeys?(data: string): string;
  /** Shift+Tab (`ESC [Z`) at the prompt: it switches the permission mode instead of reaching readline. */
  onShiftTab?(): void;
}

/** What a terminal sends for Shift+Tab (a modified-key report of it is turned into this first: modified-keys.ts). */
const SHIFT_TAB = "\x1b[Z";

/**
 * Contract: `input` is what readline reads (a TTY look-alike that sets raw mode on the real
 * stdin). Bytes from stdin are forwarded or held according to `mode`; a paste split across reads
 * is reassembled; a paste is never forwarded with its line breaks, so it cannot send itself.
 */
export class TerminalKeys {
  readonly input: PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void; isRaw: boolean };
  mode: "line" | "hold" = "line";
  /** Set by a form: a lone Esc in "line" mode also calls it (the form's cancel). */
  onEscape?: () => void;
  /** Inside a bracketed paste: what has arrived of it so far. */
  private paste?: string;
  /** The start of an escape sequence cut at the end of a read. */
  private partial = "";

  constructor(
    stdin: NodeJS.ReadStream,
    private readonly handlers: KeyHandlers,
  ) {
    const input = new PassThrough() as TerminalKeys["input"];
    input.isTTY = true;
    input.isRaw = false;
    input.setRawMode = (raw: boolean) => {
      stdin.setRawMode?.(raw);
      input.isRaw = raw;
    };
    // readline pauses and resumes its input; the real stdin must follow, or the process never exits.
    input.on("pause", () => stdin.pause());
    input.on("resume", () => stdin.resume());
    this.input = input;
    stdin.setEncoding("utf8");
    stdin.on("data", (chunk: string) => this.receive(chunk));
    stdin.on("end", () => input.end());
  }

  private receive(chunk: string): void {
    let data = this.partial + chunk;
    this.partial = "";
    while (data) {
      if (this.paste !== undefined) {
        const end = data.indexOf(PASTE_END);
        if (end < 0) {
          const keep = partialSuffix(data, PASTE_END, 1);
          this.paste += data.slice(0, data.length - keep);
          this.partial = data.slice(data.length - keep);
          return;
        }
        const text = this.paste + data.slice(0, end);
        this.paste = undefined;
        data = data.slice(end + PASTE_END.length);
        this.pasted(text);
        continue;
      }
      const start = data.indexOf(PASTE_START);
      const before = start < 0 ? data : data.slice(0, start);
      // A lone Esc at the end of a read is the Esc key, not the start of a paste.
      const keep = start < 0 ? partialSuffix(before, PASTE_START, 2) : 0;
      this.keys(before.slice(0, before.length - keep));
      if (start < 0) {
        this.partial = before.slice(before.length - keep);
        return;
      }
      this.paste = "";
      data = data.slice(start + PASTE_START.length);
    }
  }

  private pasted(raw: string): void {
    const text = raw.replace(/\r\n?/g, "\n");
    const typed = this.handlers.onPaste(text);
    if (this.mode === "line" && typed) this.input.write(typed);
  }

  /** Ordinary keystrokes (no paste inside). */
  private keys(raw: string): void {
    let data = legacyKeys(raw);
    if (!data) return;
    if (this.mode === "line") {
      data = this.handlers.onLineKeys?.(data) ?? data;
      if (!data) return;
      // A lone Esc (a key, not the start of a sequence) clears the line: Ctrl-E then Ctrl-U.
      if (data === "\x1b") {
        // A form's Esc cancels it; at a question Esc answers no; at the prompt it clears the line.
        if (this.onEscape) {
          this.input.write("\x05\x15");
          return void this.onEscape();
        }
        return void (this.handlers.onEscape?.() || this.input.write("\x05\x15"));
      }
      if (this.handlers.onShiftTab && data.includes(SHIFT_TAB)) {
        const [before, ...after] = data.split(SHIFT_TAB);
        this.keys(before!);
        this.handlers.onShiftTab();
        return this.keys(after.join(SHIFT_TAB));
      }
      // Enter is CR in raw mode; the new-line keys are told apart from it (NEWLINE_KEY).
      const parts = data.split(NEWLINE_SPLIT);
      for (const part of parts) {
        if (isNewlineKey(part)) {
          this.handlers.onNewline();
          this.input.write("\r");
        } else if (part) this.input.write(part);
      }
      return;
    }
    for (const key of heldKeys(data)) this.handlers.onHeldKey(key);
  }
}

/** Splits what was typed during a turn into the keys the queue understands; the rest is ignored. */
export function heldKeys(raw: string): HeldKey[] {
  const data = legacyKeys(raw);
  if (data === "\x1b") return [{ kind: "interrupt", key: "esc" }];
  const keys: HeldKey[] = [];
  // Escape sequences (arrows, function keys) are dropped whole; the new-line keys are new lines.
  const tokens = data.match(/\x1b\r|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1bO.|\x1b.|[\s\S]/gu) ?? [];
  let text = "";
  const flush = () => {
    if (text) keys.push({ kind: "text", text });
    text = "";
  };
  for (const token of tokens) {
    const special: HeldKey | undefined =
      token === "\r" ? { kind: "enter" }
      : isNewlineKey(token) ? { kind: "newline" }
      : token === "\x7f" || token === "\b" ? { kind: "backspace" }
      : token === "\x15" ? { kind: "clear" }
      : token === "\x03" ? { kind: "interrupt", key: "ctrl-c" }
      : token === "\x1a" ? { kind: "suspend" }
      : token === "\x04" ? { kind: "eof" }
      : undefined;
    if (special) {
      flush();
      keys.push(special);
    } else if (token === "\t" || !/^[\x00-\x1f\x7f]/.test(token)) {
      text += token;
    }
  }
  flush();
  return keys;
}

/** How many characters at the end of `text` could be the start of `marker`. */
function partialSuffix(text: string, marker: string, least: number): number {
  for (let n = Math.min(marker.length - 1, text.length); n >= least; n--) {
    if (text.endsWith(marker.slice(0, n))) return n;
  }
  return 0;
}
