/**
 * When an edit's old_string matches nothing, find the passage the model most likely meant, so
 * the observation can quote it with line numbers and the retry succeeds. Failed exact matches are
 * the most common way agents waste turns.
 */

export interface Passage {
  startLine: number;
  endLine: number;
  /** The passage as numbered lines, ready to quote. */
  text: string;
  exactIgnoringWhitespace: boolean;
}

const MIN_SIMILARITY = 0.5;
const MAX_QUOTED_LINES = 40;
/**
 * Characters compared, at most, by each pass. A miss must answer at once whatever the sizes (a
 * 100,000-line old_string against a 200,000-line file is 10^10 line comparisons done naively), so
 * the work is counted, not the lines (each pass stays under about 0.3 s).
 */
const MAX_EXACT_WORK = 50_000_000;
const MAX_FUZZY_WORK = 30_000_000;

/**
 * Contract: the passage of `content` most like `wanted`, line by line, or undefined when none is
 * similar enough. Whitespace-insensitive equality is tried first, then (when the sizes allow it
 * within MAX_FUZZY_WORK) bigram similarity. Bounded in time for any input size: past its budget a
 * pass gives up and says nothing rather than guess.
 */
export function findClosestPassage(content: string, wanted: string): Passage | undefined {
  const lines = content.split("\n").map((line) => line.replace(/\r$/, ""));
  const wantedLines = trimBlankEnds(wanted.split("\n").map((line) => line.replace(/\r$/, "")));
  if (wantedLines.length === 0 || wantedLines.length > lines.length) return undefined;
  const normal = lines.map(normalize);
  const wantedNormal = wantedLines.map(normalize);
  const start = exactIgnoringWhitespace(normal, wantedNormal);
  if (start !== undefined) return quote(lines, start, wantedLines.length, true);
  const best = mostSimilar(normal, wantedNormal);
  if (!best || best.score < MIN_SIMILARITY) return undefined;
  return quote(lines, best.start, wantedLines.length, false);
}

/** The first window equal to `wanted` line for line, or undefined (also when over budget). */
function exactIgnoringWhitespace(normal: string[], wanted: string[]): number | undefined {
  let work = 0;
  for (let start = 0; start + wanted.length <= normal.length; start++) {
    let i = 0;
    while (i < wanted.length && normal[start + i] === wanted[i]) work += wanted[i++].length + 1;
    if (i === wanted.length) return start;
    if ((work += 1) > MAX_EXACT_WORK) return undefined;
  }
  return undefined;
}

/** The window with the best mean line similarity; undefined when that would cost too much. */
function mostSimilar(normal: string[], wanted: string[]): { start: number; score: number } | undefined {
  const size = wanted.length;
  const windows = normal.length - size + 1;
  const fileChars = normal.reduce((sum, line) => sum + line.length + 1, 0);
  const wantedChars = wanted.reduce((sum, line) => sum + line.length + 1, 0);
  // Each file line is compared in up to `size` windows, each wanted line in every window.
  if (Math.min(windows, size) * fileChars + windows * wantedChars > MAX_FUZZY_WORK) return undefined;
  const fileBigrams = normal.map(bigrams);
  const wantedBigrams = wanted.map(bigrams);
  let best: { start: number; score: number } | undefined;
  for (let start = 0; start < windows; start++) {
    let score = 0;
    for (let i = 0; i < size; i++) {
      score += normal[start + i] === wanted[i] ? 1 : dice(fileBigrams[start + i], wantedBigrams[i]);
    }
    score /= size;
    if (!best || score > best.score) best = { start, score };
  }
  return best;
}

function quote(lines: string[], start: number, size: number, exactIgnoringWhitespace: boolean): Passage {
  const startLine = start + 1;
  const text = lines
    .slice(start, start + Math.min(size, MAX_QUOTED_LINES))
    .map((line, i) => `${startLine + i}\t${line}`)
    .join("\n");
  return { startLine, endLine: start + size, text, exactIgnoringWhitespace };
}

function normalize(line: string): string {
  return line.trim().replace(/\s+/g, " ");
}

function trimBlankEnds(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start].trim() === "") start++;
  while (end > start && lines[end - 1].trim() === "") end--;
  return lines.slice(start, end);
}

/** A line's character bigrams as sorted numbers, computed once per line, so each comparison is a merge. */
function bigrams(line: string): Uint32Array {
  const pairs = new Uint32Array(Math.max(0, line.length - 1));
  for (let i = 0; i < pairs.length; i++) pairs[i] = line.charCodeAt(i) * 65536 + line.charCodeAt(i + 1);
  return pairs.sort();
}

/** Dice coefficient over character bigrams (multiset intersection): cheap, and forgiving of small typos. */
function dice(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  let shared = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      shared++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return (2 * shared) / (a.length + b.length);
}
