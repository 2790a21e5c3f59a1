/**
 * Every buffer that reaches the model or the person is capped here, with a footer that says how
 * to see the rest. The limits are named constants so tool descriptions can quote them.
 */

export const MAX_READ_LINES = 2000;
export const MAX_LINE_CHARS = 2000;
export const MAX_OUTPUT_BYTES = 50 * 1024;

/**
 * Cut one line to `max` characters, saying how many were cut. `length` is the line's full length
 * when `line` holds only its start (a streamed read keeps no more than that). A cut never
 * separates the two halves of a surrogate pair.
 */
export function truncateLine(line: string, max = MAX_LINE_CHARS, length = line.length): string {
  if (length <= max) return line;
  const end = isHighSurrogate(line.charCodeAt(max - 1)) ? max - 1 : max;
  return `${line.slice(0, end)}… [${length - end} more characters]`;
}

/**
 * Cap any tool observation: keep the head and the tail, and say in the middle how many bytes
 * were cut. Works on bytes, so one enormous line is capped too.
 *
 * Contract: the result is at most `maxBytes` UTF-8 bytes, never splits a character, and the
 * count in the marker is exactly the number of bytes left out.
 */
export function capOutput(text: string, maxBytes = MAX_OUTPUT_BYTES): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= maxBytes) return text;
  const half = Math.max(0, Math.floor((maxBytes - Buffer.byteLength(cutMarker(buffer.length))) / 2));
  const headEnd = characterStart(buffer, half, -1);
  const tailStart = characterStart(buffer, buffer.length - half, 1);
  const cut = tailStart - headEnd;
  return `${buffer.toString("utf8", 0, headEnd)}${cutMarker(cut)}${buffer.toString("utf8", tailStart)}`;
}

/** The one marker for bytes cut from the middle of anything the model reads. */
export function cutMarker(bytes: number): string {
  return `\n\n[... ${bytes} bytes cut from the middle of this output ...]\n\n`;
}

/** The nearest index at or beside `index` (moving by `step`) where a UTF-8 character starts. */
function characterStart(buffer: Buffer, index: number, step: 1 | -1): number {
  let i = index;
  while (i > 0 && i < buffer.length && (buffer[i] & 0xc0) === 0x80) i += step;
  return i;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
