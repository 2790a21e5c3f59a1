/**
 * The code grep's and list_files' worker threads run (see grep-worker.ts), as plain JavaScript
 * evaluated by `new Worker(source, { eval: true })`: the bundled dist/ then needs no file of its
 * own for it, and the worker loads nothing but node:fs and node:worker_threads. Reading a file and
 * finding its lines is file-scan.ts, whose function text is pasted in.
 *
 * Protocol. workerData is the scan's settings (ScanOptions without signal and deadline). Each
 * message is one numbered batch: `{ index, files, globInputs? }`, where `files` are the absolute
 * paths to read (or, with namesOnly, the glob inputs). The worker answers each batch with
 * `{ index, matches, names, binary, large }` (batch-order.ts), matches naming their file by its
 * position in the batch; before that it may send `{ index, matches, partial: true }`.
 */
import { makeFileScanner } from "./file-scan.js";

export const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { pattern, flags, glob, namesOnly, maxMatches } = workerData;
// Runners that keep function names (tsx, under the bench) wrap them in __name(fn, "name").
const __name = (fn) => fn;
const makeFileScanner = (${makeFileScanner.toString()});
const regex = namesOnly ? undefined : new RegExp(pattern, flags);
const scanner = namesOnly ? undefined : makeFileScanner(fs, workerData, (line) => regex.test(line));
const globRegex = glob ? new RegExp(glob.source, glob.flags) : undefined;
let named = 0;
const found = () => (namesOnly ? named : scanner.found());

// A worker that has found maxMatches itself skips the rest: every later batch comes after
// those matches in the order the main thread keeps, so none of its matches could be shown.
parentPort.on("message", ({ index, files, globInputs }) => {
  const answer = { index, matches: [], names: [], binary: 0, large: 0 };
  for (let i = 0; i < files.length && found() < maxMatches; i++) {
    const globInput = namesOnly ? files[i] : globInputs?.[i];
    if (globRegex && globInput !== glob.text && !globRegex.test(globInput)) continue;
    if (namesOnly) {
      named++;
      answer.names.push(i);
      continue;
    }
    scanner.scan(files[i], i, answer);
    // Matches go out file by file, so that a later file whose regex never ends cannot hide them.
    if (answer.matches.length > 0) {
      parentPort.postMessage({ index, matches: answer.matches, partial: true });
      answer.matches = [];
    }
  }
  parentPort.postMessage(answer);
});
`;
