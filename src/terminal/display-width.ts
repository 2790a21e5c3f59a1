/**
 * How many columns a line takes on a terminal: zero-width and combining characters none, wide
 * (CJK, emoji) two, a tab up to the next multiple of eight. Counted by string-width, which follows
 * Unicode's East Asian Width and emoji data; it is loaded with the first rendered reply, never at
 * start-up. Counting a zero-width space as one column once let 250 of them make the live Markdown
 * erase the tool lines above the reply.
 */

type StringWidth = (text: string) => number;

let loading: Promise<StringWidth> | undefined;

/** Contract: resolves to a `displayWidth(line)` for text without newlines or escape sequences. */
export async function loadDisplayWidth(): Promise<(line: string) => number> {
  loading ??= import("string-width").then((module) => module.default as StringWidth);
  const stringWidth = await loading;
  return (line) => {
    let width = 0;
    const parts = line.split("\t");
    parts.forEach((part, i) => {
      width += stringWidth(part);
      if (i < parts.length - 1) width += 8 - (width % 8);
    });
    return width;
  };
}
