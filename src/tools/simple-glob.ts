/**
 * A matcher for the globs models write most ("**\/*.ts", "src/*.js", "*.d.ts", "test/**\/*.spec.?s")
 * that cannot backtrack, so list_files and grep may run it on the main thread, without booting a
 * worker. Any other glob (extglobs, braces, classes, negation, escapes) goes to picomatch in a
 * worker as before (see compileGlob in grep-worker.ts), because its regex can backtrack for ever.
 *
 * For the globs it accepts, it matches the paths the walk yields (relative, "/"-separated, no empty,
 * "." or ".." segments) exactly as picomatch.makeRe(glob, { dot: true }) does: `*` is any run of
 * characters within a segment, `?` one character, a `**` segment any number of whole segments.
 * test/tools/simple-glob.test.ts holds the two side by side.
 */

/** Characters with no meaning to picomatch beside `*`, `?` and `/`; anything else is left to it. */
const SIMPLE = /^[A-Za-z0-9._\-@~%= *?/]+$/;

/**
 * Two shapes where picomatch is not plain wildcard matching, left to it: a trailing `**` after a
 * segment with `*` ("*\/**" does not match the folder "a" itself, though "a/**" and "?/**" do),
 * and a segment ending in `.*` after an earlier `*` ("*.*" does not match "a.", though "a.*" does).
 */
function picomatchCorner(segments: string[]): boolean {
  const trailingAll = segments.length > 1 && segments.at(-1) === "**" && segments.slice(0, -1).some((segment) => segment.includes("*"));
  return trailingAll || segments.some((segment) => /\*.*\.\*$/.test(segment));
}

/**
 * A matcher for `glob` when it is simple, else undefined. Its cost is at most the product of the
 * glob's and the path's lengths, whatever the input.
 */
export function simpleGlob(glob: string): ((path: string) => boolean) | undefined {
  if (!SIMPLE.test(glob)) return undefined;
  const segments = glob.split("/");
  const unusual = (segment: string) => segment === "" || segment === "." || segment === ".." || (segment.includes("**") && segment !== "**");
  if (segments.some(unusual) || picomatchCorner(segments)) return undefined;
  // The usual shapes need no table: "**/*.ts" looks at the last segment, "src/*.ts" at each in turn.
  const tail = segments[0] === "**" ? segments.slice(1) : segments;
  if (tail.includes("**")) return (path) => matchSegments(segments, path.split("/"));
  if (tail.length === 1 && tail !== segments) return (path) => matchName(tail[0], path.slice(path.lastIndexOf("/") + 1));
  return (path) => {
    const parts = path.split("/");
    const skip = parts.length - tail.length;
    if (skip < 0 || (skip > 0 && tail === segments)) return false;
    return tail.every((segment, i) => matchName(segment, parts[skip + i]));
  };
}

/** Whether the glob's segments consume exactly the path's, `**` standing for zero or more. */
function matchSegments(glob: string[], path: string[]): boolean {
  // reach[j]: the glob's segments so far can consume exactly the first j path segments.
  let reach: boolean[] = Array.from({ length: path.length + 1 }, (_, j) => j === 0);
  for (const segment of glob) {
    const next: boolean[] = new Array(path.length + 1).fill(false);
    if (segment === "**") {
      let reached = false;
      for (let j = 0; j <= path.length; j++) next[j] = reached ||= reach[j];
    } else {
      for (let j = 0; j < path.length; j++) if (reach[j] && matchName(segment, path[j])) next[j + 1] = true;
    }
    reach = next;
  }
  return reach[path.length];
}

/**
 * Wildcard matching of one segment: `*` any run, `?` one character. Greedy with one resume point
 * (the last `*`): a later `*` makes every earlier choice final, so this never backtracks further.
 */
function matchName(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === name[n])) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}
