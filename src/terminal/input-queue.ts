import { createInterface, type Interface } from "node:readline";

/**
 * One queue of input lines shared by the REPL prompt and the approval question, so both piped
 * input (all lines at once) and a terminal (one at a time) are consumed strictly in order.
 */
export class InputQueue {
  readonly rl: Interface;
  private queue: string[] = [];
  private waiting?: (line: string | null) => void;
  private closed = false;

  constructor(options: { prompt: string; history?: string[]; completer?: (line: string) => [string[], string] }) {
    const terminal = Boolean(process.stdin.isTTY);
    this.rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal,
      prompt: options.prompt,
      history: options.history,
      historySize: 500,
      removeHistoryDuplicates: true,
      completer: options.completer,
    });
    this.rl.on("line", (line) => this.push(line));
    this.rl.on("close", () => {
      this.closed = true;
      this.deliver(null);
    });
  }

  get isTerminal(): boolean {
    return Boolean(process.stdin.isTTY);
  }

  /** The next line, or null at end of input (Ctrl-D, end of pipe) or when `signal` aborts. */
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

  /** Ask a question and wait for its answer line; `signal` aborting (Ctrl-C) or end of input answers null. */
  async ask(question: string, signal?: AbortSignal): Promise<string | null> {
    if (this.isTerminal && !this.closed) {
      this.rl.setPrompt(question);
      this.rl.prompt();
    } else {
      process.stdout.write(question);
    }
    const answer = await this.next(signal);
    if (!this.isTerminal) process.stdout.write(`${answer ?? ""}\n`);
    return answer;
  }

  setPrompt(prompt: string): void {
    this.rl.setPrompt(prompt);
  }

  close(): void {
    this.rl.close();
  }

  private push(line: string): void {
    if (this.waiting) this.deliver(line);
    else this.queue.push(line);
  }

  private deliver(line: string | null): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(line);
  }
}
