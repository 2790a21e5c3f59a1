/**
 * A web page as Markdown for the model: the main content (Mozilla's Readability, the engine of
 * Firefox's reader view, over linkedom's DOM), turned into Markdown by node-html-markdown (tables
 * kept as tables). Scripts, styles and other non-content elements are dropped first. The three
 * libraries (about 1.3 MB bundled, ~150 ms to load) are imported only when web_fetch meets HTML.
 *
 * Why these: on a sample page (nav, sidebar, article with code and a table, scripts, footer)
 * turndown broke the table into loose lines, defuddle gave the best Markdown but is 3.4 MB
 * bundled and three times slower, and node-html-markdown alone kept the navigation and footer.
 */

/** Pages bigger than this (in elements) skip the main-content pass: it would take seconds. */
const MAX_ELEMENTS = 30_000;
/** Readability's pick is used only when it kept this much text; a list page falls back to the whole body. */
const MIN_ARTICLE_CHARS = 200;
const NOT_CONTENT = "script, style, noscript, template, iframe, object, embed, svg, canvas, link, meta";

/** Past these a page is read as plain text: parsing and converting it take time that grows faster than its size. */
const MAX_TAGS = 30_000;
const MAX_DEPTH = 500;

/** Contract: resolves to Markdown (never throws on odd HTML; a page with no text gives ""). */
export async function htmlToMarkdown(html: string, url: string): Promise<string> {
  // A hostile page (hundreds of thousands of tags, or thousands nested) would hold the session for minutes.
  if (tooBig(html)) return plainText(html);
  const [{ parseHTML }, readability, markdownModule] = await Promise.all([import("linkedom"), import("@mozilla/readability"), import("node-html-markdown")]);
  // Both are CommonJS: bundled, their exports may sit under `default`.
  const { Readability } = "Readability" in readability ? readability : (readability as { default: typeof readability }).default;
  const { NodeHtmlMarkdown } = "NodeHtmlMarkdown" in markdownModule ? markdownModule : (markdownModule as { default: typeof markdownModule }).default;
  // Relative links and images are resolved against the page's own address.
  const withBase = /<base\s/i.test(html) ? html : html.replace(/<head(\s[^>]*)?>/i, (head) => `${head}<base href="${escapeAttribute(url)}">`);
  const parse = () => {
    const { document } = parseHTML(withBase);
    for (const element of [...document.querySelectorAll(NOT_CONTENT)]) element.remove();
    return document;
  };
  const document = parse();
  const title = (document.title ?? "").replace(/\s+/g, " ").trim();
  let main: string | undefined;
  try {
    const article = new Readability(document as unknown as Document, { maxElemsToParse: MAX_ELEMENTS }).parse();
    if (article?.content && (article.textContent ?? "").trim().length >= MIN_ARTICLE_CHARS) main = article.content;
  } catch {
    // too big or too odd for the main-content pass: the whole body below
  }
  const html2 = main ?? parse().body?.innerHTML ?? "";
  const markdown = NodeHtmlMarkdown.translate(html2, { keepDataImages: false }).replace(/\n{3,}/g, "\n\n").trim();
  if (!title || markdown.startsWith(`# ${title}`)) return markdown;
  return `# ${title}\n\n${markdown}`;
}

interface Tag {
  start: number;
  end: number;
  name: string;
  closing: boolean;
  selfClosing: boolean;
}

/** The tags of `html`, found with indexOf only: linear however the page is made (a regex over unclosed `<` is not). */
function* tags(html: string): Generator<Tag> {
  let at = 0;
  for (;;) {
    const start = html.indexOf("<", at);
    if (start < 0) return;
    const end = html.indexOf(">", start + 1);
    if (end < 0) return;
    const inner = html.slice(start + 1, Math.min(end, start + 64));
    const name = /^\/?([a-zA-Z][\w-]*)/.exec(inner)?.[1]?.toLowerCase();
    if (name) yield { start, end: end + 1, name, closing: inner.startsWith("/"), selfClosing: html[end - 1] === "/" };
    at = end + 1;
  }
}

/** Too many tags, or nested too deep. */
function tooBig(html: string): boolean {
  let count = 0;
  let depth = 0;
  for (const tag of tags(html)) {
    if (++count > MAX_TAGS) return true;
    if (VOID.has(tag.name) || tag.selfClosing) continue;
    depth = tag.closing ? Math.max(0, depth - 1) : depth + 1;
    if (depth > MAX_DEPTH) return true;
  }
  return false;
}

/** Elements with no end tag, or whose end tag is often left out: they do not nest. */
const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "p", "li"]);
const SKIPPED = new Set(["script", "style", "noscript", "template", "svg"]);
const BREAKS = new Set(["br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"]);

/** The page's text without its tags, scripts and styles, in one pass. */
function plainText(html: string): string {
  const lower = html.toLowerCase();
  const parts: string[] = [];
  let at = 0;
  for (const tag of tags(html)) {
    if (tag.start < at) continue;
    parts.push(html.slice(at, tag.start), BREAKS.has(tag.name) ? "\n" : " ");
    at = tag.end;
    if (!tag.closing && SKIPPED.has(tag.name)) {
      const close = lower.indexOf(`</${tag.name}`, at);
      at = close < 0 ? html.length : lower.indexOf(">", close) + 1 || html.length;
    }
  }
  parts.push(html.slice(at));
  const text = parts.join("").replace(/&nbsp;/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  return text.split("\n").map((line) => line.replace(/[ \t]+/g, " ").trim()).filter(Boolean).join("\n");
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}
