import { writeSync } from "node:fs";

/**
 * JSON lines on stdout, in order, with a way to wait until the reader has them all. Each value
 * is serialised whole before it is written, so a multibyte character is never split across two
 * writes, and JSON.stringify escapes lone surrogates, so every line is valid UTF-8 JSON.
 */
export class JsonLines {
  private flushed: Promise<void> = Promise.resolve();
  /** Writes not yet taken by the reader; only the fallback at exit looks at it. */
  private pending = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  write(value: object): void {
    const line = `${JSON.stringify(value)}\n`;
    this.pending++;
    // Ordered writes: the last callback fires only after every earlier line was handed over.
    this.flushed = new Promise((resolve) =>
      this.out.write(line, () => {
        this.pending--;
        resolve();
      }),
    );
  }

  /** Resolves once every line written so far has left the process (or the reader went away). */
  drain(): Promise<void> {
    return this.flushed;
  }

  /**
   * For an ending that cannot wait (process exit): writes `value` synchronously when nothing is
   * queued ahead of it, so it cannot overtake earlier lines. Returns whether it was written.
   */
  writeSyncIfIdle(value: object): boolean {
    if (this.pending > 0) return false;
    try {
      writeSync((this.out as unknown as { fd: number }).fd ?? 1, `${JSON.stringify(value)}\n`);
      return true;
    } catch {
      return false;
    }
  }
}
