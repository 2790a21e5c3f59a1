import type { MarkedExtension, RendererObject, Tokens } from "marked";
import { showControls, stripControls } from "../../sanitize.js";
import { palette, type Colors } from "./colors.js";
import { loadTextMeasure } from "./display-width.js";
import { fitToWidth } from "./markdown-fit.js";

/**
 * Markdown for a terminal. The libraries load on first use, so `--version` and the REPL's first
 * prompt never pay for them: marked ~12 ms, marked-terminal ~270 ms (mostly cli-highlight's
 * highlight.js), hence `preloadMarkdown()` to warm it while the first request is in flight.
 */

export interface MarkdownOptions {
  color: boolean;
  /** Lay the Markdown out (lists, tables, wrapped paragraphs) even without colour: a terminal under NO_COLOR. */
  layout?: boolean;
  /** Columns to wrap paragraphs at, usually `stream.columns`; 80 when missing or implausibly small. */
  width?: number;
}

/** By width and colour ("80:true"). */
const markdownRenderers = new Map<string, Promise<(text: string) => string>>();
const MAX_RENDERERS = 4;
/** A colour or style escape (SGR); the only kind the renderer writes. */
const SGR = /\x1b\[[0-9;]*m/g;

/**
 * Contract: `text` rendered for a terminal (headings, emphasis, lists, code, quotes, tables,
 * links) when `color`; laid out the same without any colour when `layout` alone; `text` unchanged
 * when neither, without loading any Markdown library. Escape
 * sequences inside the text are stripped by the renderer, so model output cannot drive the
 * terminal. The result ends in a newline exactly when `text` does.
 */
export async function renderMarkdown(text: string, options: MarkdownOptions): Promise<string> {
  if (!options.color && !options.layout) return text;
  const render = await markdownRenderer(usableWidth(options.width), options.color);
  const rendered = render(text).replace(/\s+$/, "");
  return text.endsWith("\n") ? rendered + "\n" : rendered;
}

/** Contract: loads the Markdown libraries now, so a later renderMarkdown does not wait. Never rejects. */
export async function preloadMarkdown(width?: number, color = true): Promise<void> {
  await markdownRenderer(usableWidth(width), color).catch(() => undefined);
}

/** A pty opened without a size (script, some CI) reports 0 columns; reflowing to that erases the text. */
function usableWidth(width: number | undefined): number {
  return width !== undefined && Number.isInteger(width) && width >= 20 ? width : 80;
}

function markdownRenderer(width: number, color: boolean): Promise<(text: string) => string> {
  const key = `${width}:${color}`;
  let renderer = markdownRenderers.get(key);
  if (!renderer) {
    // A person dragging the window's edge passes through dozens of widths: keep the latest few.
    if (markdownRenderers.size >= MAX_RENDERERS) markdownRenderers.delete(markdownRenderers.keys().next().value!);
    renderer = createMarkdownRenderer(width, color);
    markdownRenderers.set(key, renderer);
    renderer.catch(() => markdownRenderers.delete(key));
  }
  return renderer;
}

async function createMarkdownRenderer(width: number, color: boolean): Promise<(text: string) => string> {
  const [{ Marked }, terminal, measure] = await Promise.all([
    import("marked"),
    // @ts-expect-error marked-terminal ships no types, and @types/marked-terminal pins marked < 12.
    import("marked-terminal"),
    loadTextMeasure(),
  ]);
  const markedTerminal = terminal.markedTerminal as (options: object) => MarkedExtension & { renderer: RendererObject };
  // The caller has decided on colour already; chalk's own detection must not undo that.
  const c = palette(color);
  const extension = markedTerminal({
    width,
    // Wrapping is markdown-fit.ts's, by display width.
    reflowText: false,
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
  showLinkTargets(extension.renderer, c);
  fitToWidth(extension.renderer, width, measure, c);
  const marked = new Marked(extension);
  // Without colour, what the libraries colour by themselves (code highlighting, table borders) goes too.
  return color ? (text) => marked.parse(text, { async: false }) : (text) => marked.parse(text, { async: false }).replace(SGR, "");
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

/**
 * A link always shows where it goes. marked-terminal would emit an OSC 8 hyperlink on terminals
 * that support them, which shows only the text: `[https://github.com/you](https://evil.example)`
 * would read as the first and open the second. So the target is printed after any text that is
 * not the target itself (a bare URL, or the same URL without its scheme, prints once).
 */
function showLinkTargets(renderer: RendererObject, c: Colors): void {
  renderer.link = function (token: Tokens.Link) {
    const text = this.parser.parseInline(token.tokens);
    const target = c.underline(c.blue(showControls(token.href)));
    return sameAddress(stripControls(text), token.href) ? target : `${c.blue(text)} (${target})`;
  };
}

function sameAddress(text: string, href: string): boolean {
  const bare = (url: string) => url.trim().replace(/^(mailto:|[a-z][a-z0-9+.-]*:\/\/)/i, "").replace(/\/$/, "").toLowerCase();
  return text.trim() === "" || bare(text) === bare(href);
}
