/** What a search is asked and what it gives back: shared by search.ts, ripgrep.ts and the worker. */

/** Each hit's text is cut to this many characters; `length` keeps the full length. */
export const MAX_HIT_CHARS = 300;
/** The worker skips larger files (it reads each whole); ripgrep needs no such cap. */
export const MAX_SCANNED_FILE_BYTES = 2 * 1024 * 1024;

export interface SearchRequest {
  /** Real paths: the workspace root (hits are shown relative to it) and the file or folder searched. */
  root: string;
  start: string;
  /** A regex to find in lines (grep); absent: list the files (list_files). */
  pattern?: string;
  ignoreCase?: boolean;
  /**
   * ripgrep's --glob: without "/" it matches names at any depth, with one (or a leading one) the
   * path below `start`; "!" excludes. A file it matches is searched even if .gitignored.
   */
  glob?: string;
  /** Hits wanted: the search stops at one more, which tells that there are more. */
  limit: number;
  timeoutMs: number;
  signal: AbortSignal;
  /** False for a file the person's Read rules deny: it is left out. */
  keep: (absolute: string) => boolean;
}

/** A matching line (grep), its text cut to MAX_HIT_CHARS, or a file (list_files: line 0). */
export type Hit = { path: string; absolute: string; line: number; text: string; length: number };

export interface SearchResult {
  hits: Hit[];
  /** Binary files whose matches are not shown, and (worker only) files over the size cap, unread. */
  binary: number;
  large: number;
  /** The deadline ended the search; `hits` are those found before it. */
  timedOut: boolean;
  /** Which regex dialect ran, for the model when it is not the one the description names. */
  engine: "ripgrep" | "javascript";
}

/** What the worker receives (SearchRequest's data) and sends back. */
export type WorkerRequest = Pick<SearchRequest, "root" | "start" | "pattern" | "ignoreCase" | "glob">;
export type WorkerMessage = { hits: Hit[] } | { done: true; binary: number; large: number } | { error: string };
