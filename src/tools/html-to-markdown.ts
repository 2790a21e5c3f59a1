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

/** Contract: resolves to Markdown (never throws on odd HTML; a page with no text gives ""). */
export async function htmlToMarkdown(html: string, url: string): Promise<string> {
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

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}
