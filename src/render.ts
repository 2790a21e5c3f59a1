import type { AgentEvent } from "./agent.js";
import { MarkdownBlocks } from "./markdown-blocks.js";
import { startSpinner, type Spinner } from "./spinner.js";
import { palette, preloadMarkdown, renderDiff, renderMarkdown } from "./style.js";

export interface RenderOptions {
  /** Where the conversation goes: stdout in the REPL. */
  out: NodeJS.WriteStream;
  /** Where tool activity goes: stdout in the REPL, stderr in --print. */
  activity: NodeJS.WriteStream;
  /** Escape codes allowed (a TTY, no NO_COLOR): Markdown, colours, spinner. */
  color: boolean;
  /** Stream the model's text as it arrives (REPL); --print prints only the final answer. */
  streamText: boolean;
}

type Colors = ReturnType<typeof palette>;

/**
 * Turns agent events into what the person sees: streamed text (Markdown rendered block by block
 * on a colour terminal), a spinner until the first token, one line per tool call and its
 * outcome, a small diff for edits, one-line errors. Long tool output is never shown; the model
 * has it.
 */
export class Renderer {
  readonly colors: Colors;
  private midLine = false;
  private markdown = new MarkdownBlocks();
  private spinner?: Spinner;
  /** Markdown renders asynchronously; every write goes through this chain to keep order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: RenderOptions) {
    this.colors = palette(options.color);
  }

  handle(event: AgentEvent): void {
    switch (event.type) {
      case "request":
        if (this.options.color) {
          void preloadMarkdown(this.options.out.columns);
          this.spinner = startSpinner(this.options.activity, "thinking");
        }
        return;
      case "text":
        if (this.options.streamText) this.streamText(event.delta);
        return;
      case "assistant_end":
        if (this.options.streamText) this.flushText();
        return;
      case "tool_start":
        this.write(this.options.activity, `${this.colors.cyan("•")} ${event.label}\n`);
        return;
      case "tool_end":
        this.write(this.options.activity, `${this.outcomeLine(event)}\n`);
        if (event.diff && event.ok) {
          const diff = renderDiff(event.diff.before, event.diff.after, event.diff.path, { color: this.options.color });
          if (diff) this.write(this.options.activity, indent(diff));
        }
        return;
      default:
        return;
    }
  }

  /** One red line; resolves once it is written. */
  error(message: string): Promise<void> {
    this.stopSpinner();
    this.write(this.options.activity, `${this.colors.red(message)}\n`);
    return this.queue;
  }

  /** One dim line; resolves once it is written. */
  notice(message: string): Promise<void> {
    this.stopSpinner();
    this.write(this.options.activity, `${this.colors.dim(message)}\n`);
    return this.queue;
  }

  /** Resolves once everything handed over so far is on the screen. */
  async flush(): Promise<void> {
    this.stopSpinner();
    this.flushText();
    await this.queue;
  }

  private streamText(delta: string): void {
    if (!this.options.color) {
      this.queue = this.queue.then(() => this.writeNow(this.options.out, delta));
      return;
    }
    this.renderPieces(this.markdown.push(delta));
  }

  /** The end of a reply: render what the Markdown splitter still holds. */
  private flushText(): void {
    if (this.options.color) this.renderPieces(this.markdown.end());
  }

  private renderPieces(pieces: string[]): void {
    const width = this.options.out.columns;
    for (const piece of pieces) {
      this.queue = this.queue.then(async () => {
        if (!piece.trim()) return this.writeNow(this.options.out, "\n");
        const rendered = await renderMarkdown(piece, { color: true, width }).catch(() => piece);
        this.writeNow(this.options.out, `${rendered.replace(/\n+$/, "")}\n`);
      });
    }
  }

  /** Write whole lines (tool activity, errors), first ending any half-written line of text. */
  private write(stream: NodeJS.WriteStream, text: string): void {
    this.queue = this.queue.then(() => {
      this.endLine();
      this.writeNow(stream, text);
    });
  }

  private writeNow(stream: NodeJS.WriteStream, text: string): void {
    if (!text) return;
    // The spinner owns the line until the first real output replaces it.
    this.stopSpinner();
    stream.write(text);
    if (stream === this.options.out) this.midLine = !text.endsWith("\n");
  }

  private endLine(): void {
    if (!this.midLine) return;
    this.options.out.write("\n");
    this.midLine = false;
  }

  private stopSpinner(): void {
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private outcomeLine(event: Extract<AgentEvent, { type: "tool_end" }>): string {
    const seconds = `${(event.durationMs / 1000).toFixed(1)}s`;
    if (!event.ok) return `  ${this.colors.red(`└ ${firstLine(event.output)}`)}`;
    return `  ${this.colors.dim(`└ ${outcomeSummary(event.name, event.output)} · ${seconds}`)}`;
  }
}

/** A few words about a successful call, e.g. "exit 0" or "120 lines". */
export function outcomeSummary(name: string, output: string): string {
  if (name === "exec") {
    const exit = /exit code (-?\d+|\w+)/i.exec(output);
    if (exit) return `exit ${exit[1]}`;
    return firstLine(output);
  }
  if (name === "read_file" || name === "list_files" || name === "grep") {
    const lines = output.split("\n").filter((line) => line && !line.startsWith("[")).length;
    return `${lines} line${lines === 1 ? "" : "s"}`;
  }
  return firstLine(output);
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0];
  return line.length > 160 ? `${line.slice(0, 160)}…` : line;
}

function indent(text: string): string {
  return text
    .split("\n")
    .filter((line, i, all) => line || i < all.length - 1)
    .map((line) => `    ${line}`)
    .join("\n")
    .concat("\n");
}
