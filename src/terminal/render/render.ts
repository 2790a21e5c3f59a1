import type { AgentEvent } from "../../loop/agent.js";
import { LiveMarkdown } from "./live-markdown.js";
import { showControls, stripControls } from "../../sanitize.js";
import { startSpinner, type Spinner } from "./spinner.js";
import { palette } from "./colors.js";
import { renderDiff } from "./diff.js";
import { preloadMarkdown, renderMarkdown } from "./markdown.js";
import { ToolGroup } from "./tool-group.js";
import { detailLines, fitLine } from "./tool-lines.js";
import { loadDisplayWidth } from "./display-width.js";
import { wrapText } from "./wrap.js";
import { SubagentBlocks } from "./subagent-blocks.js";

/**
 * Draws the loop's events for the person: streamed answer text laid out as Markdown, one line per
 * tool call with its outcome, timers for long commands, and the footer of queued input.
 */

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

/** Characters of one reasoning shown by /reasoning; the rest is counted. */
const MAX_REASONING_SHOWN = 20_000;

/** A command shows its timer and latest output line once it has run this long. */
const TOOL_TIMER_AFTER_MS = 1000;

/**
 * Turns agent events into what the person sees: text as it arrives (Markdown rendered on a colour
 * terminal), a spinner until the first token, one line per tool call and its outcome, a small
 * diff for edits, one-line errors. Long tool output is never shown; the model has it.
 */
export class Renderer {
  readonly colors: Colors;
  /** The conversation stream ends mid-line (plain text without its final newline). */
  private midLine = false;
  private live?: LiveMarkdown;
  private spinner?: Spinner;
  /** The spinner of a running command (also `spinner` while it runs), updated by its output. */
  private toolSpinner?: Spinner;
  private toolStarting = false;
  private readonly group = new ToolGroup();
  /** The latest output line of the running command. */
  private toolLine = "";
  /** Reasoning characters streamed since the last indicator line. */
  private reasoningChars = 0;
  /** The reasoning streamed since the last indicator line (kept only while `showReasoning`). */
  private reasoningText = "";
  /** /reasoning: each reasoning is shown whole, dimmed, once it ends (else only its size). */
  showReasoning = false;
  /** What the last tool call returned, whole as the model read it, for /expand. */
  lastToolOutput?: string;
  /** The last turn's subagents' tool calls, folded on screen, for /expand. */
  private readonly subagents = new SubagentBlocks();
  /** The call whose line is on screen: only its progress is drawn (subagents run side by side). */
  private shownCall?: string;
  /** Markdown renders asynchronously; every write goes through this chain to keep order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: RenderOptions) {
    this.colors = palette(options.color);
  }

  handle(event: AgentEvent): void {
    // The history's changes are the transcript's; the person saw them as text and tool lines.
    if (event.type === "message" || event.type === "context" || event.type === "cleared") return;
    if (event.type === "subagent_tool") return this.subagents.add(event);
    if (event.type !== "reasoning" && event.type !== "usage") this.endReasoning();
    if (!["tool_start", "tool_end", "tool_progress", "usage", "reasoning"].includes(event.type)) this.endToolGroup();
    switch (event.type) {
      case "request":
        if (event.step === 1) this.subagents.reset();
        if (this.options.color || this.options.out.isTTY) void preloadMarkdown(this.options.out.columns, this.options.color);
        // Tool labels are cut to a terminal's width by display width, exactly once string-width is here.
        if (this.options.activity.columns) void loadDisplayWidth();
        // NO_COLOR keeps the progress line (it has no colour); a pipe gets none.
        if (this.options.color || this.options.streamText) this.spinner ??= startSpinner(this.options.activity, "thinking");
        return;
      case "text":
        if (this.options.streamText) this.streamText(event.delta);
        return;
      case "reasoning":
        // The reasoning itself is never shown as answer text; only how much of it there is.
        this.reasoningChars += event.delta.length;
        if (this.showReasoning && this.reasoningText.length < MAX_REASONING_SHOWN) this.reasoningText += event.delta;
        this.spinner?.update(`thinking… (${this.reasoningChars} chars)`);
        return;
      case "notice":
        this.writeLine(this.options.activity, this.colors.dim(wrapText(stripControls(event.text), this.options.activity.columns)));
        return;
      case "assistant_end":
        this.endText();
        return;
      case "tool_start": {
        this.shownCall = event.id;
        const { show, summary } = this.group.start(event.name, event.label);
        if (summary) this.writeSummary(summary);
        if (show) this.writeLabel(event.label);
        return;
      }
      case "tool_progress":
        if (event.id === this.shownCall) this.toolProgress(event.text);
        return;
      case "tool_end": {
        this.lastToolOutput = event.output;
        this.toolLine = "";
        const grouped = this.group.end(event.name, event.ok && !event.diff && !event.details);
        if (grouped === "counted") return;
        if (grouped.summary) this.writeSummary(grouped.summary);
        if (grouped.label) this.writeLabel(grouped.label);
        this.writeLine(this.options.activity, this.outcomeLine(event));
        if (event.details && (this.options.streamText || this.options.activity.isTTY)) {
          this.writeLine(this.options.activity, detailLines(event.details, this.options.activity.columns, this.colors.dim, !event.ok));
        }
        // --print into a pipe skips the diff: scripts want the answer, and jsdiff costs ~20 ms to load.
        if (event.diff && event.ok && (this.options.streamText || this.options.activity.isTTY)) {
          const diff = renderDiff(event.diff.before, event.diff.after, event.diff.path, { color: this.options.color });
          if (diff) this.writeLine(this.options.activity, indent(diff));
        }
        return;
      }
      default:
        return;
    }
  }

  /** /expand: the last turn's subagents' tool calls, then the last tool call's whole output; undefined when no tool ran. */
  expanded(): string | undefined {
    const output = this.lastToolOutput === undefined ? undefined : stripControls(this.lastToolOutput);
    const blocks = this.subagents.text();
    return blocks && output !== undefined ? `${blocks}\n\nLast tool output:\n${output}` : (blocks ?? output);
  }

  /** One red line (an endpoint's error text among them, so its controls are stripped); resolves once it is written. */
  error(message: string): Promise<void> {
    this.writeLine(this.options.activity, this.colors.red(wrapText(stripControls(message), this.options.activity.columns)));
    return this.flush();
  }

  /** One dim line, its controls stripped; resolves once it is written. */
  notice(message: string): Promise<void> {
    this.writeLine(this.options.activity, this.colors.dim(wrapText(stripControls(message), this.options.activity.columns)));
    return this.flush();
  }

  /** Text its producer has already made safe (a diff, the approval's command), written as it is. */
  show(safeText: string): Promise<void> {
    this.writeLine(this.options.activity, safeText);
    return this.flush();
  }

  /** Resolves once everything handed over so far is on the screen, ending any half line. */
  flush(): Promise<void> {
    this.endToolGroup();
    this.endReasoning();
    this.endText();
    this.queue = this.queue.then(() => this.stopSpinner());
    return this.queue;
  }

  private streamText(delta: string): void {
    // A terminal gets the answer laid out, in colour or (NO_COLOR) without.
    if (this.options.color || this.options.out.isTTY) {
      this.live ??= new LiveMarkdown(this.options.out, (markdown) =>
        renderMarkdown(markdown, { color: this.options.color, layout: true, width: this.options.out.columns }),
      );
      const live = this.live;
      this.enqueue(() => {
        this.stopSpinner();
        return live.push(delta);
      });
      return;
    }
    const text = this.options.out.isTTY ? stripControls(delta) : delta;
    this.enqueue(() => {
      this.stopSpinner();
      if (!text) return;
      this.options.out.write(text);
      this.midLine = !text.endsWith("\n");
    });
  }

  /** One dim line for the reasoning that just ended, in place of its text. */
  private endReasoning(): void {
    if (!this.reasoningChars) return;
    const chars = this.reasoningChars;
    const text = this.reasoningText;
    this.reasoningChars = 0;
    this.reasoningText = "";
    this.writeLine(this.options.activity, this.colors.dim(`thinking… (${chars} chars)`));
    if (!text.trim()) return;
    const shown = chars > text.length ? `${text.trimEnd()}\n[… ${chars - text.length} more chars]` : text.trim();
    this.writeLine(this.options.activity, this.colors.dim(wrapText(indent(stripControls(shown)), this.options.activity.columns)));
  }

  /** The end of a reply: render what Markdown is pending, or end a half-written plain line. */
  private endText(): void {
    const live = this.live;
    this.live = undefined;
    this.enqueue(async () => {
      if (live) await live.end();
      if (this.midLine) this.options.out.write("\n");
      this.midLine = false;
    });
  }

  private writeLine(stream: NodeJS.WriteStream, line: string): void {
    this.endText();
    this.enqueue(() => {
      this.stopSpinner();
      stream.write(line.endsWith("\n") ? line : `${line}\n`);
    });
  }

  private enqueue(step: () => void | Promise<void>): void {
    this.queue = this.queue.then(step).catch(() => undefined);
  }

  /**
   * A running command: after a second, a line with a timer and its latest output line, redrawn
   * in place until the call ends (the first write after it erases the line).
   */
  private toolProgress(text: string): void {
    if (!this.options.activity.isTTY || !this.options.streamText) return;
    const latest = stripControls(text).split(/[\r\n]/).filter((line) => line.trim()).at(-1);
    if (latest) this.toolLine = latest.trim();
    const label = () => fitLine(this.toolLine ? `running · ${this.toolLine}` : "running", this.options.activity.columns, 12);
    if (this.toolSpinner) return this.toolSpinner.update(label());
    if (this.toolStarting) return;
    this.toolStarting = true;
    this.enqueue(() => {
      this.toolStarting = false;
      this.stopSpinner();
      this.spinner = this.toolSpinner = startSpinner(this.options.activity, label(), { afterMs: TOOL_TIMER_AFTER_MS });
    });
  }

  private writeLabel(label: string): void {
    this.writeLine(this.options.activity, `${this.colors.cyan("•")} ${fitLine(showControls(label), this.options.activity.columns, 2)}`);
  }

  /** Ends a run of one tool's calls: its summary line, and a held label (a question is coming). */
  private endToolGroup(): void {
    if (!this.group.open) return;
    const { summary, held } = this.group.close();
    if (summary) this.writeSummary(summary);
    if (held) this.writeLabel(held);
  }

  private writeSummary(summary: string): void {
    this.writeLine(this.options.activity, `  ${this.colors.dim(fitLine(showControls(summary), this.options.activity.columns, 2))}`);
  }

  private stopSpinner(): void {
    if (this.spinner === this.toolSpinner) this.toolSpinner = undefined;
    this.spinner?.stop();
    this.spinner = undefined;
  }

  private outcomeLine(event: Extract<AgentEvent, { type: "tool_end" }>): string {
    const line = wrapText(`  └ ${showControls(event.display)}`, this.options.activity.columns);
    return event.ok ? this.colors.dim(line) : this.colors.red(line);
  }
}

function indent(text: string): string {
  return text
    .replace(/\n+$/, "")
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
