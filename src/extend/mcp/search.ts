/**
 * The gateway's search: which MCP tools a plain-language query means. Words, not substrings ("in"
 * never matches inside "gzip-file-in..."), each reduced to a simple stem so "entities" finds
 * create_entities and "reading" read_file; a word that many tools share weighs less than a rare
 * one, and a tool whose name the query covers whole ranks first.
 */

export interface SearchableTool {
  server: string;
  name: string;
  description: string;
}

/** Words that say nothing about which tool is meant. */
const STOP_WORDS = new Set(
  "a an the of in on at as to for from by with into onto and or but is are be it its this that these those my me i you your we our all any some what which how do does can please tool tools use using".split(" "),
);

/** Plain words for what tool names call otherwise: "make a folder" means create_directory. */
const SYNONYMS: Record<string, string> = { make: "create", folder: "directory", remove: "delete", erase: "delete", find: "search" };

/** Weight of a query word found in the tool's name, against one found in its description. */
const NAME_WEIGHT = 2;

/** The tools best matching `query`, best first (at most `limit`); an exact name (or server/name) wins outright. */
export function searchTools<T extends SearchableTool>(tools: T[], query: string, limit = 5): T[] {
  const exact = tools.filter((tool) => tool.name === query.trim() || `${tool.server}/${tool.name}` === query.trim());
  if (exact.length) return exact.slice(0, limit);
  const wanted = [...new Set(stems(query.replace(/[A-Za-z]+/g, (word) => SYNONYMS[word.toLowerCase()] ?? word)))];
  if (wanted.length === 0) return [];
  const indexed = tools.map((tool) => ({ tool, name: new Set(stems(tool.name)), text: new Set(stems(`${tool.server} ${tool.description}`)) }));
  // Inverse document frequency: "file" in every filesystem tool tells less than "gzip" in one.
  const rarity = (word: string) => Math.log(1 + indexed.length / (1 + indexed.filter((entry) => entry.name.has(word) || entry.text.has(word)).length));
  const scored = indexed.map(({ tool, name, text }) => {
    let score = 0;
    let matched = 0;
    for (const word of wanted) {
      const weight = (name.has(word) ? NAME_WEIGHT : 0) + (text.has(word) ? 1 : 0);
      score += rarity(word) * weight;
      if (weight) matched++;
    }
    // A tool that matches more of the query's words beats one that matches one word strongly.
    score *= matched / wanted.length;
    // Of two tools the query matches equally, the one whose name it covers more of: "read a text
    // file" means read_text_file, not read_multiple_files.
    const covered = [...name].filter((word) => wanted.includes(word)).length / Math.max(1, name.size);
    return { tool, score: score > 0 ? score + covered : 0 };
  });
  return scored
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((hit) => hit.tool);
}

/** The stems of the words of `text`: camelCase, snake_case and kebab-case split, stop words dropped. */
export function stems(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word && !STOP_WORDS.has(word))
    .map(stem);
}

/**
 * A light stemmer, the same on both sides of the comparison, so it only has to be consistent:
 * entities → entity, files → file, reading → read, created / creates / create → creat.
 */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  let base = word;
  if (base.endsWith("ies") && base.length > 4) base = `${base.slice(0, -3)}y`;
  else if (/(s|x|z|ch|sh)es$/.test(base)) base = base.slice(0, -2);
  else if (base.endsWith("s") && !/(ss|us|is)$/.test(base)) base = base.slice(0, -1);
  if (base.endsWith("ing") && base.length > 5) base = undouble(base.slice(0, -3));
  else if (base.endsWith("ed") && !base.endsWith("eed") && base.length > 4) base = undouble(base.slice(0, -2));
  // "create" and "creat(ing)" meet at "creat"; "file" and "fil(es)" at "fil".
  if (base.endsWith("e") && base.length > 3) base = base.slice(0, -1);
  return base;
}

/** running → run, getting → get; but "add" (from "added") keeps its double letter. */
function undouble(base: string): string {
  return /([bdgmnprt])\1$/.test(base) && !/(add|odd|err|ell|ill|all)$/.test(base) ? base.slice(0, -1) : base;
}
