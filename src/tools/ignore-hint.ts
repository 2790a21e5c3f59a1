/**
 * A quick test that tells the walk when a .gitignore cannot have an opinion about a path, so that
 * the `ignore` package is asked only about the paths it might: asking it costs a cache entry per
 * path, and on a 20k-file tree that was a third of the walk's time and most of its garbage.
 */

/**
 * A regex that matches every path some rule of `text` could match (ignore or re-include), or
 * undefined when a rule could match anything. Conservative by construction: each rule contributes
 * its longest run of plain characters (between wildcards, escapes and slashes), which
 * every path it matches contains; case is ignored, as the `ignore` package does by default.
 */
export function ignoreHint(text: string): RegExp | undefined {
  const literals: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const rule = line.startsWith("!") ? line.slice(1) : line;
    // A class ([a-z], []x]) holds characters of which only one is matched: not worth parsing.
    if (rule.includes("[")) return undefined;
    const longest = rule.split(/[*?[\]\\/]/).reduce((best, piece) => (piece.length > best.length ? piece : best), "");
    if (longest === "") return undefined;
    literals.push(longest.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
  }
  // No rule at all: nothing can match.
  return new RegExp(literals.length > 0 ? literals.join("|") : "(?!)", "i");
}
