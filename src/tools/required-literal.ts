/**
 * A text every match of a regex must contain, so grep can look for it in a file's bytes with
 * Buffer.indexOf and run the regex only on the lines where it occurs. Most files of a big tree
 * do not contain it, and for those the regex never runs and the file is never decoded.
 */

/**
 * The longest run of plain characters at the top level of `pattern` that every match contains,
 * or "" when none is certain (an alternation at the top level, case-insensitive flags, only
 * classes and groups). Conservative by construction: a character followed by a quantifier that
 * allows zero or several copies ends the run without being kept, and group contents are never used.
 */
export function requiredLiteral(pattern: string, flags: string): string {
  if (flags.includes("i")) return "";
  let best = "";
  let run = "";
  let depth = 0;
  const endRun = () => {
    if (run.length > best.length) best = run;
    run = "";
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[++i] ?? "";
      if (depth === 0 && next !== "" && !/[0-9A-Za-z]/.test(next)) {
        run += next;
        continue;
      }
      // \d, \w, \b, \n, \1, \u0041, \k<name>… are classes, anchors or escapes: skip their operand too.
      endRun();
      i = escapeEnd(pattern, i);
    } else if (c === "[") {
      endRun();
      for (i++; i < pattern.length && pattern[i] !== "]"; i++) if (pattern[i] === "\\") i++;
    } else if (c === "(") {
      endRun();
      depth++;
    } else if (c === ")") {
      depth--;
    } else if (c === "|") {
      if (depth === 0) return "";
    } else if (c === "*" || c === "?" || c === "{") {
      // The character before may be absent or repeated: drop it (a group's quantifier ends nothing kept).
      run = run.slice(0, -1);
      endRun();
      if (c === "{") while (i < pattern.length && pattern[i] !== "}") i++;
    } else if (c === "+") {
      endRun();
    } else if (c === "." || c === "^" || c === "$") {
      endRun();
    } else if (depth === 0) {
      run += c;
    }
  }
  endRun();
  // U+FFFD in the text may stand for any invalid byte, which the bytes themselves do not contain.
  return best.includes("\uFFFD") ? "" : best;
}

/** The index of the last character of the escape whose letter or digit is at `i`. */
function escapeEnd(pattern: string, i: number): number {
  const letter = pattern[i];
  const closing = (open: string, close: string) => (pattern[i + 1] === open ? Math.max(pattern.indexOf(close, i), i) : i);
  if (letter === "u") return pattern[i + 1] === "{" ? closing("{", "}") : i + 4;
  if (letter === "x") return i + 2;
  if (letter === "c") return i + 1;
  if (letter === "k") return closing("<", ">");
  if (letter === "p" || letter === "P") return closing("{", "}");
  if (/[0-9]/.test(letter)) while (/[0-9]/.test(pattern[i + 1] ?? "")) i++;
  return i;
}

/**
 * The text `pattern` stands for when it is nothing but text (letters, spaces, escaped punctuation
 * such as `\(`), so that a line matches exactly when it contains that text; otherwise undefined.
 * Such a pattern cannot backtrack, so grep may search for it without a regex or a worker thread.
 */
export function plainText(pattern: string, flags: string): string | undefined {
  if (flags !== "" || pattern === "") return undefined;
  let text = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[++i] ?? "";
      // \d, \n, \u0041, \1…: not plain. A lone trailing backslash is an invalid regex anyway.
      if (next === "" || /[0-9A-Za-z]/.test(next)) return undefined;
      text += next;
    } else if ("^$.|?*+()[]{}".includes(c)) {
      return undefined;
    } else {
      text += c;
    }
  }
  return text.includes("\uFFFD") ? undefined : text;
}
