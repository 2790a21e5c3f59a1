/**
 * The order of a parallel scan's results: batches of files are read by whichever worker has them,
 * and their outcomes are applied in batch order, so the matches, the skipped counts and the point
 * where the cap stops the scan are the same as with one worker reading every file in walk order.
 */

export interface Match {
  path: string;
  line: number;
  text: string;
  length: number;
}

export interface ScanResult {
  matches: Match[];
  skipped: { binary: number; large: number };
  timedOut: boolean;
}

/** A match as a worker reports it: its file is a position in the batch (the paths stay here). */
export interface BatchMatch {
  file: number;
  line: number;
  text: string;
  length: number;
}

/** One batch's outcome from a worker (see scan-worker-source.ts): matches or, for names, positions. */
export type BatchResult =
  | { index: number; matches: BatchMatch[]; partial: true }
  | { index: number; matches: BatchMatch[]; names: number[]; binary: number; large: number; partial?: undefined };

/**
 * Takes batch results in any order and applies them in batch order; calls `done` once every batch
 * is in, or as soon as the matches in order reach the cap.
 */
export class BatchOrder {
  private readonly paths: string[][] = [];
  private readonly waiting = new Map<number, Extract<BatchResult, { partial?: undefined }>>();
  private readonly partials = new Map<number, BatchMatch[]>();
  private next = 0;
  private allSent = false;

  constructor(
    private readonly result: ScanResult,
    private readonly maxMatches: number,
    private readonly done: () => void,
  ) {}

  /** Registers a batch's display paths; returns its number. */
  sent(paths: string[]): number {
    return this.paths.push(paths) - 1;
  }

  finished(): void {
    this.allSent = true;
    this.check();
  }

  add(batch: BatchResult): void {
    if (batch.partial) {
      const earlier = this.partials.get(batch.index);
      if (earlier) earlier.push(...batch.matches);
      else this.partials.set(batch.index, batch.matches);
      return;
    }
    this.waiting.set(batch.index, batch);
    for (let ready; (ready = this.waiting.get(this.next)); this.next++) {
      this.waiting.delete(this.next);
      this.take(ready.index, this.partials.get(ready.index) ?? []);
      this.partials.delete(ready.index);
      this.take(ready.index, ready.matches);
      for (const file of ready.names) this.take(ready.index, [{ file, line: 0, text: "", length: 0 }]);
      this.result.skipped.binary += ready.binary;
      this.result.skipped.large += ready.large;
      this.paths[ready.index] = [];
    }
    this.check();
  }

  /** At the deadline: the matches of the first unfinished batch found so far follow the finished ones. */
  takeUnfinished(): void {
    this.take(this.next, this.partials.get(this.next) ?? []);
  }

  private take(index: number, matches: BatchMatch[]): void {
    const paths = this.paths[index];
    for (const { file, line, text, length } of matches) {
      if (this.result.matches.length >= this.maxMatches) return;
      this.result.matches.push({ path: paths[file], line, text, length });
    }
  }

  private check(): void {
    if (this.result.matches.length >= this.maxMatches || (this.allSent && this.next === this.paths.length)) this.done();
  }
}
