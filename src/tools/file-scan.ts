/**
 * Reading one file and finding its matching lines: the one implementation behind both the worker
 * threads (any regex; they run this function's text, see scan-worker-source.ts) and the main
 * thread (plain-text patterns, which cannot backtrack, see main-thread-scan.ts).
 *
 * Self-contained on purpose: makeFileScanner uses nothing but its parameters and globals (Buffer),
 * because the worker evaluates `makeFileScanner.toString()` without any of our modules.
 */

/** The node:fs calls the scanner needs, passed in so that the function's text stands alone. */
export interface FsCalls {
  openSync(path: string, flags: number): number;
  readSync(fd: number, buffer: Buffer, offset: number, length: number, position: null): number;
  closeSync(fd: number): void;
  fstatSync(fd: number): { size: number };
  constants: { O_RDONLY: number; O_NONBLOCK: number };
}

export interface ScannerSettings {
  /** Text every match contains (required-literal.ts); lines without it are never tested. */
  literal?: string;
  maxMatches: number;
  maxFileBytes: number;
  maxLineChars: number;
}

/** What one batch of files came to; matches name their file by its position in the batch. */
export interface BatchAnswer {
  matches: { file: number; line: number; text: string; length: number }[];
  binary: number;
  large: number;
}

export interface FileScanner {
  /** Reads `absolute` and adds its matching lines (or a skip) to `answer`. */
  scan(absolute: string, file: number, answer: BatchAnswer): void;
  /** Matches found by this scanner over all its files; it stops at maxMatches. */
  found(): number;
}

/**
 * A scanner with one read buffer for every file (allocating one per file costs more than reading
 * it). `test(line)` decides each candidate line: the regex in a worker, `includes` on the main thread.
 *
 * Contract: files over maxFileBytes, or with a NUL byte in the first 8 KB (binary, as git decides),
 * are counted in `large` or `binary`; unreadable ones are skipped silently. Lines are split at
 * "\n" with a trailing "\r" dropped; each match's text is cut to maxLineChars, `length` is the full one.
 */
export function makeFileScanner(fs: FsCalls, settings: ScannerSettings, test: (line: string) => boolean): FileScanner {
  const { literal, maxMatches, maxFileBytes, maxLineChars } = settings;
  const buffer = Buffer.allocUnsafe(maxFileBytes + 1);
  const needle = literal ? Buffer.from(literal) : undefined;
  const openFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;
  const FIRST_READ = 64 * 1024;
  let found = 0;

  // The file's size, now in the buffer; "large" or "binary" when skipped, undefined when
  // unreadable. A system call per file counts here: fstat only for a file that fills the first
  // read (most do not), to skip a large one unread. What replaced the walk's regular file since
  // is caught by the read itself: a directory fails with EISDIR, O_NONBLOCK keeps a FIFO from
  // blocking, and a device that never ends fills the buffer and counts as large.
  function read(absolute: string): number | "large" | "binary" | undefined {
    let fd: number | undefined;
    try {
      fd = fs.openSync(absolute, openFlags);
      let size = fs.readSync(fd, buffer, 0, Math.min(FIRST_READ, buffer.length), null);
      if (size === FIRST_READ && fs.fstatSync(fd).size > maxFileBytes) return "large";
      for (let n; size < buffer.length && (n = fs.readSync(fd, buffer, size, buffer.length - size, null)) > 0; ) size += n;
      if (size > maxFileBytes) return "large";
      return buffer.subarray(0, Math.min(size, 8192)).includes(0) ? "binary" : size;
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  function scan(absolute: string, file: number, answer: BatchAnswer): void {
    const size = read(absolute);
    if (size === "large" || size === "binary") {
      answer[size]++;
      return;
    }
    if (size === undefined) return;
    const bytes = buffer.subarray(0, size);
    const check = (text: string, line: number) => {
      if (!test(text)) return;
      found++;
      answer.matches.push({ file, line, text: text.slice(0, maxLineChars), length: text.length });
    };
    if (!needle) {
      const lines = bytes.toString("utf8").split(/\r?\n/);
      for (let i = 0; i < lines.length && found < maxMatches; i++) check(lines[i], i + 1);
      return;
    }
    // Only the lines holding the literal are decoded and tested; line numbers are counted on the way.
    let line = 1;
    let counted = 0;
    for (let at = bytes.indexOf(needle); at !== -1 && found < maxMatches; ) {
      const start = at === 0 ? 0 : bytes.lastIndexOf(10, at - 1) + 1;
      let end = bytes.indexOf(10, at);
      if (end === -1) end = size;
      for (let nl = bytes.indexOf(10, counted); nl !== -1 && nl < start; nl = bytes.indexOf(10, nl + 1)) line++;
      counted = start;
      check(bytes.toString("utf8", start, end > start && bytes[end - 1] === 13 ? end - 1 : end), line);
      at = end + 1 < size ? bytes.indexOf(needle, end + 1) : -1;
    }
  }

  return { scan, found: () => found };
}
