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
const MAX_COMPARISONS = 2_000_000;

export function findClosestPassage(content: string, wanted: string): Passage | undefined {
  const lines = content.split("\n").map((line) => line.replace(/\r$/, ""));
  const wantedLines = trimBlankEnds(wanted.split("\n").map((line) => line.replace(/\r$/, "")));
  if (wantedLines.length === 0) return undefined;
  const size = wantedLines.length;
  const wantedNormal = wantedLines.map(normalize);

  let best: { start: number; score: number } | undefined;
  const windows = lines.length - size + 1;
  // On a huge file, fall back to whitespace-insensitive equality only, to keep this instant.
  const fuzzy = windows * size <= MAX_COMPARISONS;
  for (let start = 0; start < windows; start++) {
    let score = 0;
    for (let i = 0; i < size; i++) {
      const line = normalize(lines[start + i]);
      score += line === wantedNormal[i] ? 1 : fuzzy ? similarity(line, wantedNormal[i]) : 0;
    }
    score /= size;
    if (!best || score > best.score) best = { start, score };
    if (score === 1) break;
  }
  if (!best || best.score < MIN_SIMILARITY) return undefined;
  const startLine = best.start + 1;
  const endLine = best.start + size;
  const quoted = lines
    .slice(best.start, best.start + Math.min(size, MAX_QUOTED_LINES))
    .map((line, i) => `${startLine + i}\t${line}`)
    .join("\n");
  return { startLine, endLine, text: quoted, exactIgnoringWhitespace: best.score === 1 };
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

/** Dice coefficient over character bigrams: cheap, and forgiving of small typos. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const counts = new Map<string, number>();
  for (let i = 0; i < a.length - 1; i++) {
    const pair = a.slice(i, i + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  let shared = 0;
  for (let i = 0; i < b.length - 1; i++) {
    const pair = b.slice(i, i + 2);
    const count = counts.get(pair) ?? 0;
    if (count > 0) {
      counts.set(pair, count - 1);
      shared++;
    }
  }
  return (2 * shared) / (a.length - 1 + b.length - 1);
}
