import { createRequire } from "node:module";
import type { MarkedExtension, RendererObject, Tokens } from "marked";

/**
 * Terminal styling: whether to colour, the colour palette, Markdown and diffs. This file owns
 * the styling libraries and loads each on first use, so `--version` and the REPL's first prompt
 * never pay for them. Measured import cost on the 2-core dev machine: picocolors ~1 ms,
 * diff ~15 ms, marked ~12 ms, marked-terminal ~270 ms (mostly cli-highlight's highlight.js), hence
 * `preloadMarkdown()` to warm it while the first request is in flight.
 */

type Colors = ReturnType<(typeof import("picocolors"))["createColors"]>;

export interface MarkdownOptions {
  color: boolean;
  /** Columns to wrap paragraphs at, usually `stream.columns`; 80 when missing or implausibly small. */
  width?: number;
}

export interface DiffOptions {
  color: boolean;
  /** Diff lines shown before the rest is summarised; default DIFF_MAX_LINES. */
  maxLines?: number;
}

export const DIFF_MAX_LINES = 40;
/** jsdiff is O(N·D); past this it gives up and we show a one-line summary instead. */
const DIFF_TIMEOUT_MS = 200;

const require = createRequire(import.meta.url);
const palettes = new Map<boolean, Colors>();
const markdownRenderers = new Map<number, Promise<(text: string) => string>>();

/**
 * Contract: true when escape codes should be written to `stream`. FORCE_COLOR wins when set
 * ("0" or "false" turn colour off, any other value on), as in Node itself; otherwise colour needs
 * a TTY, NO_COLOR unset or empty, and TERM other than "dumb".
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (!stream.isTTY) return false;
  if (env.NO_COLOR) return false;
  return env.TERM !== "dumb";
}

/** Contract: picocolors formatters that colour when `enabled` and return text unchanged when not. */
export function palette(enabled: boolean): Colors {
  let colors = palettes.get(enabled);
  if (!colors) {
    colors = (require("picocolors") as typeof import("picocolors")).createColors(enabled);
    palettes.set(enabled, colors);
  }
  return colors;
}

/**
 * Contract: a unified diff of `oldText` → `newText` with 3 lines of context, headed by `path`,
 * at most `maxLines` lines plus a "… N more lines" footer; "" when the texts are equal. With
 * `color`, added lines are green, removed red, hunk headers cyan. Never throws on large inputs:
 * a diff too costly to compute becomes a one-line summary.
 */
export function renderDiff(oldText: string, newText: string, path: string, options: DiffOptions): string {
  if (oldText === newText) return "";
  const c = palette(options.color);
  const maxLines = options.maxLines ?? DIFF_MAX_LINES;
  const { structuredPatch, formatPatch, FILE_HEADERS_ONLY } = require("diff") as typeof import("diff");
  const patch = structuredPatch(path, path, oldText, newText, undefined, undefined, {
    context: 3,
    timeout: DIFF_TIMEOUT_MS,
  });
  if (!patch) return c.dim(`${path}: changed (${lineCount(oldText)} → ${lineCount(newText)} lines; too large to diff here)`);

  const lines = formatPatch(patch, FILE_HEADERS_ONLY)
    .trimEnd()
    .split("\n")
    .map((line, i) => (i < 2 ? c.bold(line) : colorDiffLine(line, c)));
  if (lines.length <= maxLines) return lines.join("\n");
  const hidden = lines.length - maxLines;
  return [...lines.slice(0, maxLines), c.dim(`… ${hidden} more line${hidden === 1 ? "" : "s"}`)].join("\n");
}

function colorDiffLine(line: string, c: Colors): string {
  if (line.startsWith("@@")) return c.cyan(line);
  if (line.startsWith("+")) return c.green(line);
  if (line.startsWith("-")) return c.red(line);
  if (line.startsWith("\\")) return c.dim(line);
  return line;
}

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

/**
 * Contract: `text` rendered for a terminal (headings, emphasis, lists, code, quotes, tables,
 * links) when `color`; `text` unchanged when not, without loading any Markdown library. Escape
 * sequences inside the text are stripped by the renderer, so model output cannot drive the
 * terminal. The result ends in a newline exactly when `text` does.
 */
export async function renderMarkdown(text: string, options: MarkdownOptions): Promise<string> {
  if (!options.color) return text;
  const render = await markdownRenderer(usableWidth(options.width));
  const rendered = render(text).replace(/\s+$/, "");
  return text.endsWith("\n") ? rendered + "\n" : rendered;
}

/** Contract: loads the Markdown libraries now, so a later renderMarkdown does not wait. Never rejects. */
export async function preloadMarkdown(width?: number): Promise<void> {
  await markdownRenderer(usableWidth(width)).catch(() => undefined);
}

/** A pty opened without a size (script, some CI) reports 0 columns; reflowing to that erases the text. */
function usableWidth(width: number | undefined): number {
  return width !== undefined && Number.isInteger(width) && width >= 20 ? width : 80;
}

function markdownRenderer(width: number): Promise<(text: string) => string> {
  let renderer = markdownRenderers.get(width);
  if (!renderer) {
    renderer = createMarkdownRenderer(width);
    markdownRenderers.set(width, renderer);
    renderer.catch(() => markdownRenderers.delete(width));
  }
  return renderer;
}

async function createMarkdownRenderer(width: number): Promise<(text: string) => string> {
  const [{ Marked }, terminal] = await Promise.all([
    import("marked"),
    // @ts-expect-error marked-terminal ships no types, and @types/marked-terminal pins marked < 12.
    import("marked-terminal"),
  ]);
  const markedTerminal = terminal.markedTerminal as (options: object) => MarkedExtension & { renderer: RendererObject };
  // The caller has decided on colour already; chalk's own detection must not undo that.
  const c = palette(true);
  const extension = markedTerminal({
    width,
    reflowText: true,
    showSectionPrefix: false,
    emoji: false,
    tab: 2,
    firstHeading: (s: string) => c.bold(c.underline(c.magenta(s))),
    heading: (s: string) => c.bold(c.green(s)),
    strong: c.bold,
    em: c.italic,
    del: (s: string) => c.dim(c.strikethrough(s)),
    codespan: c.yellow,
    code: c.yellow,
    blockquote: (s: string) => c.gray(c.italic(s)),
    html: c.gray,
    link: c.blue,
    href: (s: string) => c.underline(c.blue(s)),
  });
  patchForCurrentMarked(extension.renderer);
  const marked = new Marked(extension);
  return (text) => marked.parse(text, { async: false });
}

/**
 * marked-terminal 7.3 predates two marked ≥ 13 token changes (upstream issues #304 and #371):
 * a tight list item's text token carries inline tokens it ignores, so `code` and **bold** in list
 * items came out raw; and marked now emits the task checkbox itself, so it was printed twice.
 */
function patchForCurrentMarked(renderer: RendererObject): void {
  const { text, list } = renderer;
  if (!text || !list) return;
  renderer.text = function (token: Tokens.Text | Tokens.Escape) {
    return "tokens" in token && token.tokens ? this.parser.parseInline(token.tokens) : text.call(this, token);
  };
  renderer.list = function (token: Tokens.List) {
    return list.call(this, { ...token, items: token.items.map((item) => ({ ...item, task: false })) });
  };
}
