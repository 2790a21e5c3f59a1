/**
 * The one list of command shapes that destroy work wholesale or run what nobody read, and the
 * shape of a command a remembered rule may cover. Shapes, not a sandbox: for these the question
 * is the guard, so they ask even inside the sandbox and under a remembered or settings rule; only
 * --yes (or bypassPermissions) runs them without a question.
 */

interface Shape {
  test: (text: string, parts: string[]) => boolean;
  /** Completes "This command …". */
  why: string;
}

const SHAPES: Shape[] = [
  { test: (_, parts) => parts.some(recursiveRm), why: "deletes recursively (rm -r)" },
  { test: (text) => /\bgit\s+(?:-\S+\s+)*reset\s+(?:\S+\s+)*--hard\b/.test(text), why: "throws away uncommitted work (git reset --hard)" },
  { test: (text) => /\bgit\s+(?:-\S+\s+)*clean\b/.test(text), why: "deletes untracked files (git clean)" },
  {
    test: (text) => /\bgit\b.*\bpush\b.*(\s--force(-with-lease)?\b|\s-[a-zA-Z]*f\b|\s\+\S)/.test(text),
    why: "rewrites a remote branch (git push --force)",
  },
  { test: (text) => /\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/.test(text), why: "runs a script straight from the network (curl | sh)" },
  {
    test: (text) => />\s*\/dev\/(?!null\b|stdout\b|stderr\b|tty\b|fd\/)\w/.test(text) || /\bdd\b.*\bof=\/dev\//.test(text),
    why: "writes to a device",
  },
  { test: (text) => /\bmkfs(\.\w+)?\b/.test(text), why: "formats a file system (mkfs)" },
];

/** Why `command` is dangerous in a few words ("deletes recursively (rm -r)"), or undefined. */
export function dangerousShape(command: string): string | undefined {
  const text = command.replace(/\s+/g, " ");
  const parts = text.split(/&&|\|\||[;|&(]|\n/);
  return SHAPES.find((shape) => shape.test(text, parts))?.why;
}

/** `rm` with a recursive flag anywhere after it (`rm -rf x`, `rm x -r`, `rm --recursive x`). */
function recursiveRm(part: string): boolean {
  const words = part.trim().split(" ");
  const at = words.indexOf("rm");
  if (at < 0) return false;
  return words.slice(at + 1).some((word) => /^-[a-zA-Z]*[rR]/.test(word) || word === "--recursive");
}

/**
 * A command's first words: its program, plus its subcommand when the second word is one
 * ("npm test", "npm run:dev", "cargo fetch"; "curl" for "curl https://…"). The REPL's `p`
 * answer remembers this prefix.
 */
export function commandPrefix(command: string): string {
  const [program = "", second] = command.trim().split(/\s+/);
  return second && /^[a-z][\w:-]*$/i.test(second) ? `${program} ${second}` : program;
}

/** One command: no `;`, `&&`, `||`, `|`, `&`, `$(`, backticks, newlines or redirection. */
function isSimpleCommand(command: string): boolean {
  return !/[;&|<>`\n\r]|\$\(/.test(command.trim());
}

/** True when `prefix` covers `command`: a simple command that starts with its words. */
export function prefixCovers(prefix: string, command: string): boolean {
  const text = command.trim();
  if (!isSimpleCommand(text)) return false;
  return text === prefix || text.startsWith(`${prefix} `);
}
