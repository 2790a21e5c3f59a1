import { wrapText } from "../render/wrap.js";
import { createInterface, type Interface } from "node:readline";
import { writeAbovePrompt } from "../render/above-prompt.js";
import { KEY_MODES_OFF, KEY_MODES_ON } from "./modified-keys.js";
import { onContinue, onExitSync } from "./signals.js";
import { TerminalKeys, type HeldKey } from "./keys.js";
import { HistorySearch } from "./history-search.js";

/** The prompt shown for the second and later lines of one request. */
export const CONTINUATION_PROMPT = "… ";
/** A draft longer than this goes back to the prompt as one placeholder, not line by line. */
const TYPED_LINES = 10;

export interface InputOptions {
  prompt: string;
  history?: string[];
  completer?: (line: string) => [string[], string];
  /** A key typed while input is held (a turn runs); terminal only. */
  onHeldKey?: (key: HeldKey) => void;
  /** A paste that arrived while input is held; terminal only. */
  onHeldPaste?: (text: string) => void;
  /** Every paste, as pasted (a pasted image path attaches the image: image-mentions.ts). */
  onPasted?: (text: string) => void;
  /** A question takes the bottom of the screen (true) and gives it back (false). */
  onQuestion?: (shown: boolean) => void;
  /** Shift+Tab at the prompt (terminal only); the prompt is drawn again after it. */
  onShiftTab?: () => void;
}

/**
 * One queue of requests shared by the REPL prompt and the approval question, so both piped input
 * (all lines at once) and a terminal (one at a time) are consumed strictly in order.
 *
 * On a terminal a request may span lines: a bracketed paste arrives whole (a long one is shown as
 * `[pasted N lines]` and sent whole), and `\` + Enter, Alt+Enter or Ctrl-J start a new line
 * without sending. When stdin is not a terminal every line is one request (or one answer), as a
 * script expects.
 */
export class InputQueue {
  readonly rl: Interface;
  private readonly keys?: TerminalKeys;
  private queue: string[] = [];
  private waiting?: (line: string | null) => void;
  private closed = false;
  /** Lines of the request being written, before the current one. */
  private draft: string[] = [];
  /** Alt+Enter or Ctrl-J was pressed: the next line continues the request. */
  private continueNext = false;
  /** Multi-line pastes in the line being edited, by the placeholder shown for them. */
  private pastes = new Map<string, string>();
  private prompt_ = "";
  private held = false;
  /** A question is up (ask): Esc answers it "no". */
  private asking = false;
  private search?: HistorySearch;

  constructor(private readonly options: InputOptions) {
    const terminal = Boolean(process.stdin.isTTY);
    if (terminal) {
      this.keys = new TerminalKeys(process.stdin, {
        onPaste: (text) => this.onPaste(text),
        onNewline: () => (this.continueNext = true),
        onHeldKey: (key) => options.onHeldKey?.(key),
        onEscape: () => this.escapeQuestion(),
        // Ctrl-R searches the history at the prompt, never in a question's answer.
        onLineKeys: (data) => (this.asking || !this.search ? data : this.search.filter(data)),
        onShiftTab: options.onShiftTab && (() => this.shiftTab()),
      });
    }
    const resizeListeners = process.stdout.listeners("resize");
    this.rl = createInterface({
      input: this.keys?.input ?? process.stdin,
      output: process.stdout,
      terminal,
      prompt: options.prompt,
      history: options.history,
      historySize: 500,
      removeHistoryDuplicates: true,
      completer: options.completer,
    });
    this.prompt_ = options.prompt;
    if (terminal) this.search = new HistorySearch(this.rl);
    this.rl.on("line", (line) => this.onLine(line));
    this.rl.on("close", () => {
      // Ctrl-D closes readline itself: the shell gets its keyboard back here, whoever closed it.
      if (terminal && !this.closed) process.stdout.write(KEY_MODES_OFF);
      this.closed = true;
      this.deliver(null);
    });
    if (terminal) {
      // readline redraws its prompt line on every resize, even while a turn is writing the answer
      // there (splicing "mini-claude> " into it): it may redraw only while the prompt is shown.
      for (const listener of process.stdout.listeners("resize").filter((l) => !resizeListeners.includes(l))) {
        const guarded = () => this.held || (listener as () => void)();
        process.stdout.off("resize", listener as () => void);
        process.stdout.on("resize", guarded);
        // readline removes its own listener by reference when it closes; the stand-in goes then too.
        this.rl.once("close", () => process.stdout.off("resize", guarded));
      }
      process.stdout.write(KEY_MODES_ON);
      // However the process ends (an uncaught error too), the shell gets its keyboard back.
      onExitSync(() => !this.closed && process.stdout.write(KEY_MODES_OFF));
      // readline stops the process on Ctrl-Z itself and emits SIGCONT after `fg`.
      // readline pauses its input there and never resumes it: without this the REPL would end.
      this.rl.on("SIGCONT", () => {
        this.rl.resume();
        process.stdout.write(KEY_MODES_ON);
      });
    }
  }

  get isTerminal(): boolean {
    return Boolean(process.stdin.isTTY);
  }

  /**
   * Holds keystrokes away from readline (a turn runs: they go to `onHeldKey`) or gives them back.
   * An approval question asked while held reads only keys typed after it appeared.
   */
  hold(held: boolean): void {
    this.held = held;
    if (this.keys) this.keys.mode = held ? "hold" : "line";
  }

  /**
   * What readline took in after the request that started a turn, in the same read (typed very
   * fast, or pasted where the terminal does not bracket pastes): whole lines and the line begun.
   * Taken away from readline, so they can join what is typed during the turn.
   */
  takeEarly(): { lines: string[]; partial: string } {
    if (!this.keys) return { lines: [], partial: "" };
    const lines = this.queue.splice(0);
    const rl = this.rl as unknown as { line: string; cursor: number };
    const partial = rl.line;
    rl.line = "";
    rl.cursor = 0;
    return { lines, partial };
  }

  /** The cursor is at the end of what is typed, on its last row: what is drawn below it covers nothing typed. */
  cursorAtEnd(): boolean {
    const rl = this.rl as unknown as { line: string; cursor: number };
    return rl.cursor === rl.line.length;
  }

  /** The next request, or null at end of input (Ctrl-D, end of pipe) or when `signal` aborts. */
  next(signal?: AbortSignal): Promise<string | null> {
    if (this.queue.length) return Promise.resolve(this.queue.shift()!);
    if (this.closed || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = () => this.deliver(null);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting = (line) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(line);
      };
    });
  }

  prompt(): void {
    if (this.isTerminal && !this.closed) this.rl.prompt();
  }

  /**
   * Puts `text` on the prompt line as if typed (a draft left from a turn). Its lines but the last
   * become the continuation lines of the request (as `\` + Enter makes them), so the last one is
   * there to edit and Enter sends them all; a long text is one `[pasted N lines]` instead.
   */
  type(text: string): void {
    if (!text || this.closed) return;
    // Replayed as keystrokes, so a Tab typed during the turn still completes.
    const lines = text.split("\n").length;
    const keys = lines > TYPED_LINES ? this.onPaste(text) : text.replace(/\\?\n/g, "\\\r");
    if (this.keys) this.keys.input.write(keys);
    else this.rl.write(keys);
  }

  /** Ask a question and wait for its answer line; `signal` aborting (Ctrl-C) or end of input answers null. */
  async ask(question: string, signal?: AbortSignal): Promise<string | null> {
    const mode = this.keys?.mode;
    this.asking = true;
    this.hold(false);
    this.options.onQuestion?.(true);
    this.asking = true;
    try {
      if (this.isTerminal && !this.closed) {
        // The one wrap rule: a long question breaks at a space, not where the terminal's row ends.
        const text = question.trimEnd();
        this.rl.setPrompt(`${wrapText(text, process.stdout.columns)}${question.slice(text.length)}`);
        this.rl.prompt();
      } else {
        process.stdout.write(question);
      }
      const answer = await this.next(signal);
      if (!this.isTerminal) process.stdout.write(`${answer ?? ""}\n`);
      // Interrupted (Ctrl-C): what follows starts on a line of its own, not after the question.
      else if (answer === null && !this.closed) this.leaveQuestionLine();
      // Up-arrow recalls requests, never the answers to questions.
      if (answer !== null) this.forgetFromHistory(answer);
      return answer;
    } finally {
      this.asking = false;
      if (mode === "hold") this.hold(true);
      this.options.onQuestion?.(false);
    }
  }

  /** While set, a lone Esc at a question also calls `handler` (a form's cancel). */
  setEscape(handler: (() => void) | undefined): void {
    if (this.keys) this.keys.onEscape = handler;
  }

  /**
   * Shows `line` at once: above the prompt, with the prompt and what is typed drawn again below
   * it, while a request or an answer is awaited on a terminal; as a plain line otherwise.
   */
  announce(line: string): void {
    if (this.waiting && this.isTerminal && !this.closed) writeAbovePrompt(this.rl, process.stdout, line);
    else process.stdout.write(`${line}\n`);
  }

  /** Shift+Tab: only at the request prompt (not at a question, nor on a continuation line), which shows the new mode at once. */
  private shiftTab(): void {
    if (!this.waiting || this.draft.length || this.asking) return;
    this.options.onShiftTab?.();
    // The line typed so far stays; the prompt before it changes.
    this.rl.prompt(true);
  }

  setPrompt(prompt: string): void {
    this.prompt_ = prompt;
    this.rl.setPrompt(prompt);
  }

  /** Esc at a question answers "no", shown on the question's line as if typed. */
  private escapeQuestion(): boolean {
    if (!this.asking || !this.waiting) return false;
    this.keys?.input.write("\x05\x15no\r");
    return true;
  }

  /** Drops the half-typed answer and moves below the question. */
  private leaveQuestionLine(): void {
    const rl = this.rl as unknown as { line: string; cursor: number; prevRows: number };
    rl.line = "";
    rl.cursor = 0;
    // readline would start its next prompt from the question's last row (a long question wraps),
    // moving up over what is written meanwhile: the prompt starts afresh on the row it is given.
    rl.prevRows = 0;
    process.stdout.write("\n");
  }

  /** Lines of a multi-line request are waiting for its last line. */
  get hasDraft(): boolean {
    return this.draft.length > 0;
  }

  /** Drops a half-written multi-line request (Ctrl-C at the prompt). */
  clearDraft(): void {
    this.draft = [];
    this.continueNext = false;
    this.pastes.clear();
    this.rl.setPrompt(this.prompt_);
  }

  close(): void {
    this.rl.close();
  }

  /**
   * Gives the terminal to another program while `run` runs (synchronously): the modes it had
   * before us (no raw mode, no bracketed paste), then ours again, whatever `run` did.
   */
  lendTerminal<T>(run: () => T): T {
    if (!this.keys) return run();
    this.ownModes(false);
    try {
      return run();
    } finally {
      this.ownModes(true);
    }
  }

  /** Stops the process as Ctrl-Z does in a shell; after `fg` the terminal is set up again. */
  suspend(): void {
    if (!this.keys) return;
    this.ownModes(false);
    onContinue(() => this.ownModes(true));
    process.kill(process.pid, "SIGTSTP");
  }

  /** Our terminal modes (raw input, bracketed paste, modified keys) on, or off as the shell had them. */
  private ownModes(on: boolean): void {
    this.keys?.input.setRawMode(on);
    process.stdout.write(on ? KEY_MODES_ON : KEY_MODES_OFF);
  }

  private onPaste(text: string): string {
    const body = text.replace(/\n+$/, "");
    this.options.onPasted?.(body);
    if (this.keys?.mode === "hold") {
      this.options.onHeldPaste?.(body);
      return "";
    }
    if (!body.includes("\n")) return body;
    const lines = body.split("\n").length;
    let placeholder = `[pasted ${lines} lines]`;
    for (let n = 2; this.pastes.has(placeholder); n++) placeholder = `[pasted ${lines} lines #${n}]`;
    this.pastes.set(placeholder, body);
    return placeholder;
  }

  private onLine(line: string): void {
    if (this.isTerminal && (this.continueNext || /(^|[^\\])\\$/.test(line))) {
      this.continueNext = false;
      this.forgetFromHistory(line);
      this.draft.push(line.replace(/\\$/, ""));
      this.rl.setPrompt(CONTINUATION_PROMPT);
      this.rl.prompt();
      return;
    }
    // A placeholder or one line of several would recall as a different request than was sent.
    if (this.draft.length || this.pastes.size) this.forgetFromHistory(line);
    let request = [...this.draft, line].join("\n");
    for (const [placeholder, text] of this.pastes) request = request.split(placeholder).join(text);
    this.draft = [];
    this.pastes.clear();
    this.rl.setPrompt(this.prompt_);
    if (this.waiting) this.deliver(request);
    else this.queue.push(request);
  }

  /** A request that did not come through the prompt (typed during a turn): ↑ recalls it all the same. */
  remember(line: string): void {
    const history = (this.rl as unknown as { history?: string[] }).history;
    if (history && !line.includes("\n") && history[0] !== line) history.unshift(line);
  }

  /** readline has just added `line` to its history; take it out again. */
  private forgetFromHistory(line: string): void {
    const history = (this.rl as unknown as { history?: string[] }).history;
    if (history?.[0] === line) history.shift();
  }

  private deliver(line: string | null): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(line);
  }
}
