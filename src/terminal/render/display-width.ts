/**
 * How many columns a line takes on a terminal: zero-width and combining characters none, wide
 * (CJK, emoji) two, a tab up to the next multiple of eight. Counted by string-width, which follows
 * Unicode's East Asian Width and emoji data; it is loaded with the first request, never at
 * start-up. Counting a zero-width space as one column once let 250 of them make the live Markdown
 * erase the tool lines above the reply.
 */

type StringWidth = (text: string) => number;
type WrapAnsi = (text: string, columns: number, options: { hard?: boolean; trim?: boolean; wordWrap?: boolean }) => string;

let loading: Promise<StringWidth> | undefined;
let loaded: StringWidth | undefined;

/** Contract: resolves to a `displayWidth(line)` for text without newlines or escape sequences. */
export async function loadDisplayWidth(): Promise<(line: string) => number> {
  loading ??= import("string-width").then((module) => (loaded = module.default as StringWidth));
  const stringWidth = await loading;
  return (line) => withTabs(line, stringWidth);
}

/**
 * Contract: the columns `line` takes, now, without waiting: string-width's count once
 * `loadDisplayWidth` has resolved (the renderer asks for it with the first request), before that
 * an estimate that never counts less than a terminal shows (every character from U+1100 up as
 * two), so a line cut by it still fits. Escape sequences count nothing either way.
 */
export function displayWidthNow(line: string): number {
  // eslint-disable-next-line no-control-regex
  const text = line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "");
  return withTabs(text, loaded ?? estimateWidth);
}

/** Measures and wraps text that may carry colour codes, by display width. */
export interface TextMeasure {
  /** Columns the widest line of `text` takes (escape sequences count nothing). */
  width(text: string): number;
  /** `text` wrapped at word boundaries to `columns` (words longer than that are cut), styles carried over. */
  wrap(text: string, columns: number): string[];
}

let measuring: Promise<TextMeasure> | undefined;

/** Contract: resolves to a TextMeasure backed by string-width and wrap-ansi (loaded on first call). */
export function loadTextMeasure(): Promise<TextMeasure> {
  measuring ??= Promise.all([loadDisplayWidth(), import("wrap-ansi")]).then(([, wrapModule]) => {
    const wrapAnsi = wrapModule.default as WrapAnsi;
    return {
      width: (text) => Math.max(0, ...text.split("\n").map(displayWidthNow)),
      wrap: (text, columns) => wrapAnsi(text.replace(/\t/g, "  "), Math.max(1, columns), { hard: true }).split("\n"),
    };
  });
  return measuring;
}

function withTabs(line: string, stringWidth: StringWidth): number {
  let width = 0;
  const parts = line.split("\t");
  parts.forEach((part, i) => {
    width += stringWidth(part);
    if (i < parts.length - 1) width += 8 - (width % 8);
  });
  return width;
}

function estimateWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if ((code >= 0x300 && code <= 0x36f) || code === 0x200b || code === 0x200d || (code >= 0xfe00 && code <= 0xfe0f)) continue;
    width += code >= 0x1100 ? 2 : 1;
  }
  return width;
}
