/**
 * The main thread's share of a grep over a plain-text pattern (see scanFiles in grep-worker.ts).
 * A line contains a given text or it does not: no backtracking, so nothing here can run away,
 * and the main thread, idle once the walk is done, reads batches beside the workers. It also
 * reads while the first worker boots, which on two cores is most of a small search.
 */
import * as fs from "node:fs";
import type { BatchOrder } from "./batch-order.js";
import { makeFileScanner, type BatchAnswer, type ScannerSettings } from "./file-scan.js";
import type { QueuedBatch } from "./grep-worker.js";
import { TimeSlice } from "./time-slice.js";

/**
 * Reads the batches `next()` gives until it gives none or `signal` aborts, adding each batch's
 * outcome to `ordered`. Matches found in a batch are handed over before each pause, so that a
 * deadline keeps them, as a worker's are.
 */
export async function scanOnMainThread(
  text: string,
  settings: ScannerSettings,
  next: () => Promise<QueuedBatch | undefined>,
  ordered: BatchOrder,
  signal: AbortSignal,
): Promise<void> {
  const scanner = makeFileScanner(fs, settings, (line) => line.includes(text));
  // The event loop gets a turn now and then: Ctrl-C, the deadline, workers asking for batches.
  const slice = new TimeSlice();
  for (let batch; !signal.aborted && (batch = await next()); ) {
    const answer: BatchAnswer = { matches: [], binary: 0, large: 0 };
    const { index, files } = batch;
    // Past the cap the rest only needs answering: every later batch comes after these matches.
    for (let i = 0; i < files.length && scanner.found() < settings.maxMatches; i++) {
      scanner.scan(files[i], i, answer);
      if (!slice.due) continue;
      if (answer.matches.length > 0) ordered.add({ index, matches: answer.matches, partial: true });
      answer.matches = [];
      await slice.pause();
      if (signal.aborted) return;
    }
    ordered.add({ index, names: [], ...answer });
  }
}
