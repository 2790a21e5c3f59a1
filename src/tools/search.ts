/**
 * The one search behind grep and list_files: ripgrep when it is on PATH (ripgrep.ts), otherwise
 * one worker thread (search-worker.ts) ended at a deadline, because a JavaScript regex or glob can
 * backtrack for ever and only terminating its thread stops it. Both walk alike (walk.ts says how)
 * and give results in path order, so the model reads the same whichever ran.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ToolError } from "./define.js";
import { runRipgrep } from "./ripgrep.js";
import type { SearchRequest, SearchResult, WorkerMessage, WorkerRequest } from "./search-request.js";

/** The PATH on which rg was last found missing, so that each later call does not try again. */
let missingOn: string | undefined;

/**
 * Contract: resolves with at most `limit + 1` hits in path order; throws a ToolError the model can
 * act on for a bad regex or glob (naming the dialect), and the signal's reason when it aborts.
 */
export async function search(request: SearchRequest): Promise<SearchResult> {
  request.signal.throwIfAborted();
  if (missingOn !== process.env.PATH) {
    const found = await runRipgrep(request);
    if (found) return found;
    missingOn = process.env.PATH;
  }
  return searchInWorker(request);
}

/**
 * Built, the worker is dist/search-worker.js beside this bundle. Run from source (tests, the bench),
 * it is TypeScript, which a worker cannot load by itself on Node 20: tsx's tsImport loads it.
 */
const builtWorker = new URL("./search-worker.js", import.meta.url);
const sourceWorker = new URL("./search-worker.ts", import.meta.url).href;
const startWorker = (workerData: WorkerRequest) =>
  existsSync(fileURLToPath(builtWorker))
    ? // A small young generation: the worker's garbage is short-lived text, and the default showed in the peak memory.
      new Worker(builtWorker, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } })
    : new Worker(`import("tsx/esm/api").then((tsx) => tsx.tsImport(${JSON.stringify(sourceWorker)}, ${JSON.stringify(sourceWorker)}))`, { eval: true, workerData });

function searchInWorker({ signal, keep, limit, timeoutMs, ...request }: SearchRequest): Promise<SearchResult> {
  if (request.pattern !== undefined) compileOrExplain(request.pattern, request.ignoreCase ? "i" : "");
  const result: SearchResult = { hits: [], binary: 0, large: 0, timedOut: false, engine: "javascript" };
  const worker = startWorker(request);
  return new Promise((resolve, reject) => {
    const stop = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      worker.removeAllListeners().on("error", () => {});
      void worker.terminate();
      settle();
    };
    const onAbort = () => stop(() => reject(signal.reason));
    const timer = setTimeout(() => stop(() => resolve({ ...result, timedOut: true })), timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (message: WorkerMessage) => {
      if ("error" in message) return stop(() => reject(new ToolError(message.error)));
      if ("done" in message) return stop(() => resolve({ ...result, binary: message.binary, large: message.large }));
      for (const hit of message.hits) {
        if (keep(hit.absolute) && result.hits.push(hit) > limit) return stop(() => resolve(result));
      }
    });
    worker.on("error", (error) => stop(() => reject(error)));
    worker.on("exit", () => stop(() => reject(new Error("the search worker stopped unexpectedly"))));
  });
}

/** Compiling never runs the pattern, so a bad one is reported here, before a worker starts. */
function compileOrExplain(pattern: string, flags: string): void {
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    const hint = "Escape regex characters such as ( [ { . * + ? with a backslash to match them literally.";
    throw new ToolError(`${(error as Error).message}. ${hint} (rg is not installed, so this ran JavaScript's regex.)`);
  }
}
