/**
 * The search through ripgrep (see search.ts): the flags that make its walk ours, and the reading
 * of its output, `--json` for grep and NUL-separated `--files` for list_files.
 */
import { spawn } from "node:child_process";
import { basename, dirname } from "node:path";
import { statSync } from "node:fs";
import { displayPath } from "../workspace.js";
import { ToolError } from "./define.js";
import { MAX_HIT_CHARS, type Hit, type SearchRequest, type SearchResult } from "./search-request.js";

/**
 * Contract: undefined when rg cannot be started (not on PATH); otherwise as search(). A pattern
 * that needs look-around or backreferences, which Rust's regex lacks, runs again with PCRE2.
 */
const UNRUNNABLE = new Set(["ENOENT", "EACCES", "EPERM"]);

export async function runRipgrep(request: SearchRequest): Promise<SearchResult | undefined> {
  try {
    return await ripgrep(request, false);
  } catch (error) {
    if (!(error instanceof ToolError) || !/look-around|backreferences/.test(error.message)) throw error;
    return ripgrep(request, true).catch(() => Promise.reject(error));
  }
}

/** Text in rg's JSON: UTF-8 as `text`, anything else as base64 `bytes`. */
type Data = { text: string } | { bytes: string };
const textOf = (data: Data) => ("text" in data ? data.text : Buffer.from(data.bytes, "base64").toString("utf8"));

function ripgrep(request: SearchRequest, pcre2: boolean): Promise<SearchResult | undefined> {
  const { root, start, pattern, glob, limit, signal, keep } = request;
  const isFile = statSync(start).isFile();
  // rg runs in the folder searched, so that a glob with "/" is relative to it and paths come out below it.
  const cwd = isFile ? dirname(start) : start;
  const base = displayPath(root, cwd);
  const prefix = base === "." ? "" : `${base}/`;
  // --no-config: a RIPGREP_CONFIG_PATH could name programs to run (--pre). Our skips come after
  // the model's glob: the last glob that matches decides, so "*" cannot reopen .git.
  const args = ["--no-config", "--hidden", "--no-require-git", "--no-messages"];
  args.push(...(glob ? ["--glob", glob] : []), "--glob", "!.git", "--glob", "!node_modules");
  // A listing is sorted here, which costs less than rg's --sort (one thread); a search is cut at
  // the cap, so it must come in order.
  if (pattern === undefined) args.push("--files", "--null");
  else args.push("--sort", "path", "--json", "--crlf", ...(request.ignoreCase ? ["--ignore-case"] : []), ...(pcre2 ? ["--pcre2"] : []), "--regexp", pattern);
  args.push("--", isFile ? basename(start) : ".");

  const result: SearchResult = { hits: [], binary: 0, large: 0, timedOut: false, engine: "ripgrep" };
  const child = spawn("rg", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let records = 0;
  let stderr = "";
  let rest = "";
  return new Promise((resolve, reject) => {
    const stop = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      child.removeAllListeners().on("error", () => {});
      child.stdout.removeAllListeners();
      child.kill();
      settle();
    };
    const onAbort = () => stop(() => reject(signal.reason));
    const done = () => resolve(pattern === undefined ? { ...result, hits: sortByPath(result.hits) } : result);
    const timer = setTimeout(() => stop(() => resolve({ ...result, timedOut: true })), request.timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });

    /** One hit, unless the person's Read rules deny its file; true once there are more than `limit`. */
    const add = (relative: string, line: number, text: string) => {
      const hit: Hit = { path: prefix + relative, absolute: `${cwd}/${relative}`, line, text: text.slice(0, MAX_HIT_CHARS), length: text.length };
      return keep(hit.absolute) && result.hits.push(hit) > limit;
    };
    const take = (record: string): boolean => {
      if (record === "") return false;
      records++;
      if (pattern === undefined) return add(record.replace(/^\.\//, ""), 0, "");
      const { type, data } = JSON.parse(record);
      const relative = data.path ? textOf(data.path).replace(/^\.\//, "") : "";
      if (type === "match") return add(relative, data.line_number, textOf(data.lines).replace(/\r?\n$/, ""));
      // A file with a NUL byte is binary: its matches (rg finds some in a file named as the path) are not shown.
      if (type === "end" && data.binary_offset !== null && result.hits.at(-1)?.absolute === `${cwd}/${relative}`) {
        while (result.hits.at(-1)?.absolute === `${cwd}/${relative}`) result.hits.pop();
        result.binary++;
      }
      return false;
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (rest + chunk).split(pattern === undefined ? "\0" : "\n");
      rest = parts.pop()!;
      if (parts.some(take)) stop(done);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // An rg this user may not run (EACCES: say, in a folder of root's on PATH) is as good as none.
    child.on("error", (error: NodeJS.ErrnoException) => stop(() => (UNRUNNABLE.has(error.code ?? "") ? resolve(undefined) : reject(error))));
    child.on("close", (code) => {
      take(rest);
      // Exit 2 also reports files it could not read; only an error before any output is the call's.
      if (code === 2 && records === 0) stop(() => reject(new ToolError(explain(stderr))));
      else stop(done);
    });
  });
}

/** The walk's order (walk.ts): folder by folder, names sorted, so "a/b" comes before "a-c". */
function sortByPath(hits: Hit[]): Hit[] {
  const keyed = hits.map((hit) => ({ hit, key: hit.path.replaceAll("/", "\0") }));
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(({ hit }) => hit);
}

/** rg's own message, with the hint a model needs and without a flag it cannot pass. */
function explain(stderr: string): string {
  const message = stderr.replace(/\n*Consider enabling PCRE2[\s\S]*$/, "").trim();
  if (/regex parse error/.test(message)) {
    return `${message}\nThis is ripgrep's Rust regex: escape ( [ { . * + ? with a backslash to match them literally.`;
  }
  return message || "ripgrep failed without a message.";
}
