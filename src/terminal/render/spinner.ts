/**
 * The "still working" line shown while waiting for the model's first token: a braille frame, a
 * label and the seconds elapsed, redrawn in place. It is a courtesy for a person at a terminal,
 * so anywhere else (pipes, files, CI logs) it writes nothing at all.
 */

export interface Spinner {
  /** Clears the spinner's line; safe to call more than once. */
  stop(): void;
  /** Shows `label` from the next frame on. */
  update(label: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
export const SPINNER_INTERVAL_MS = 80;
const CLEAR_LINE = "\r\x1b[2K";

/**
 * Contract: when `stream.isTTY`, draws "⠋ label 1.2s" on the current line every
 * SPINNER_INTERVAL_MS, starting one interval from now so a fast reply causes no flicker, and
 * `stop()` erases that line, leaving the cursor at its start; with `afterMs`, nothing is drawn
 * before that many milliseconds (a fast command shows no timer). Otherwise writes nothing. The timer
 * is unref'd, so a forgotten spinner never keeps the process alive. Stop it before writing
 * anything else to `stream`.
 */
export function startSpinner(stream: Pick<NodeJS.WriteStream, "isTTY" | "write">, label: string, options: { afterMs?: number } = {}): Spinner {
  if (!stream.isTTY) return { stop() {}, update() {} };
  const started = Date.now();
  let frame = 0;
  let drawn = false;
  const timer = setInterval(() => {
    if (Date.now() - started < (options.afterMs ?? 0)) return;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    stream.write(`${CLEAR_LINE}${FRAMES[frame]} ${label} ${seconds}s`);
    frame = (frame + 1) % FRAMES.length;
    drawn = true;
  }, SPINNER_INTERVAL_MS);
  timer.unref();
  let stopped = false;
  return {
    update(next) {
      label = next;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (drawn) stream.write(CLEAR_LINE);
    },
  };
}
