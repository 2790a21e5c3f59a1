/**
 * The search without ripgrep, on a worker thread of its own (search.ts starts it and ends it at the
 * deadline): the walk (walk.ts), the glob matched as ripgrep's --glob is, and JavaScript's regex.
 * Posts `{ hits }` as it goes, so a deadline keeps what was found, then `{ done, binary, large }`.
 */
import { readFileSync, statSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import ignore from "ignore";
import picomatch from "picomatch";
import { MAX_HIT_CHARS, MAX_SCANNED_FILE_BYTES, type Hit, type WorkerMessage, type WorkerRequest } from "./search-request.js";
import { walkSync, type Verdict } from "./walk.js";

const { root, start, pattern, ignoreCase, glob } = workerData as WorkerRequest;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);

/**
 * ripgrep's --glob: "!" excludes files and folders; otherwise a file is kept exactly when it
 * matches, and a folder that matches is entered, .gitignore or not. Without "/" it matches the
 * name, with one the path below `start`.
 */
function globVerdict(glob: string): Verdict {
  const negated = glob.startsWith("!");
  const body = negated ? glob.slice(1) : glob;
  const matches = picomatch(body.replace(/^\//, ""), { dot: true });
  const test = body.includes("/") ? matches : (relative: string) => matches(relative.slice(relative.lastIndexOf("/") + 1));
  return (relative, isDirectory) => {
    if (negated) return test(relative) ? false : undefined;
    return test(relative) || (isDirectory ? undefined : false);
  };
}

/** A file's text, or why it is not searched; undefined when it cannot be read. */
function read(absolute: string): { text: string } | "binary" | "large" | undefined {
  try {
    if (statSync(absolute).size > MAX_SCANNED_FILE_BYTES) return "large";
    const bytes = readFileSync(absolute);
    // As git and ripgrep decide: a NUL byte near the start means binary.
    return bytes.subarray(0, 8192).includes(0) ? "binary" : { text: bytes.toString("utf8") };
  } catch {
    return undefined;
  }
}

function run(): void {
  const verdict = glob ? globVerdict(glob) : undefined;
  const files = walkSync(root, start, ignore, verdict);
  if (pattern === undefined) {
    let batch: Hit[] = [];
    for (const file of files) {
      batch.push({ path: file.path, absolute: file.absolute, line: 0, text: "", length: 0 });
      if (batch.length < 256) continue;
      post({ hits: batch });
      batch = [];
    }
    post({ hits: batch });
    return post({ done: true, binary: 0, large: 0 });
  }
  const regex = new RegExp(pattern, ignoreCase ? "i" : "");
  const skipped = { binary: 0, large: 0, unread: 0 };
  for (const file of files) {
    const content = read(file.absolute);
    if (typeof content !== "object") {
      skipped[content ?? "unread"]++;
      continue;
    }
    const lines = content.text.split(/\r?\n/);
    // The empty string after a final newline is no line of the file.
    if (lines.at(-1) === "") lines.pop();
    const hits: Hit[] = [];
    lines.forEach((line, i) => {
      if (regex.test(line)) hits.push({ path: file.path, absolute: file.absolute, line: i + 1, text: line.slice(0, MAX_HIT_CHARS), length: line.length });
    });
    if (hits.length > 0) post({ hits });
  }
  post({ done: true, binary: skipped.binary, large: skipped.large });
}

try {
  run();
} catch (error) {
  post({ error: `${(error as Error).message} (rg is not installed, so this ran JavaScript's regex and picomatch's globs.)` });
}
