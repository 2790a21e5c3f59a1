/**
 * Every buffer that reaches the model or the person is capped here, with a footer that says how
 * to see the rest. The limits are named constants so tool descriptions can quote them.
 */

export const MAX_READ_LINES = 2000;
export const MAX_LINE_CHARS = 2000;
export const MAX_OUTPUT_BYTES = 50 * 1024;
export const MAX_OUTPUT_LINES = 2000;

export interface Truncated {
  text: string;
  truncated: boolean;
  /** Lines in the input (a trailing newline does not start a new line). */
  totalLines: number;
  /** Lines kept in `text`. */
  keptLines: number;
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Keep the first lines that fit both limits (for file reads: the model continues with an offset). */
export function truncateHead(text: string, maxLines = MAX_OUTPUT_LINES, maxBytes = MAX_OUTPUT_BYTES): Truncated {
  const lines = splitLines(text);
  const kept: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line, "utf8") + 1;
    if (kept.length >= maxLines || bytes + size > maxBytes) break;
    kept.push(line);
    bytes += size;
  }
  const truncated = kept.length < lines.length;
  return { text: kept.join("\n"), truncated, totalLines: lines.length, keptLines: kept.length };
}

/** Keep the last lines that fit both limits (for command output: errors are at the end). */
export function truncateTail(text: string, maxLines = MAX_OUTPUT_LINES, maxBytes = MAX_OUTPUT_BYTES): Truncated {
  const lines = splitLines(text);
  const kept: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const size = Buffer.byteLength(lines[i], "utf8") + 1;
    if (kept.length >= maxLines || bytes + size > maxBytes) break;
    kept.push(lines[i]);
    bytes += size;
  }
  kept.reverse();
  const truncated = kept.length < lines.length;
  return { text: kept.join("\n"), truncated, totalLines: lines.length, keptLines: kept.length };
}

/** Cut one line to `max` characters, saying how much was cut. */
export function truncateLine(line: string, max = MAX_LINE_CHARS): string {
  if (line.length <= max) return line;
  return `${line.slice(0, max)}… [${line.length - max} more characters]`;
}

/**
 * Cap any tool observation: keep the head and the tail, and say in the middle how much was cut.
 * Works on bytes, so one enormous line is capped too. Never splits a UTF-8 character.
 */
export function capOutput(text: string, maxBytes = MAX_OUTPUT_BYTES): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= maxBytes) return text;
  const half = Math.floor(maxBytes / 2);
  const head = buffer.subarray(0, half).toString("utf8").replace(/\uFFFD$/, "");
  const tail = buffer.subarray(buffer.length - half).toString("utf8").replace(/^\uFFFD/, "");
  const cut = buffer.length - Buffer.byteLength(head) - Buffer.byteLength(tail);
  return `${head}\n\n[... ${cut} bytes cut from the middle of this output ...]\n\n${tail}`;
}
