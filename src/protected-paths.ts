/**
 * THE list of paths whose change takes effect outside the task at hand: they configure mini-claude
 * or another agent, or run code at a moment the person does not connect with the change (the next
 * `git status`, opening the folder in an editor, `cd` into it, a new shell, a push to CI). One list,
 * two users: the file tools ask the person before writing one (tools/protected-paths.ts), and the
 * sandbox refuses every shell command's write to one (processes/sandbox-policy.ts).
 * Names are compared case-insensitively, as macOS and Windows file systems compare them.
 */
import { sep } from "node:path";

/** A folder anywhere on the path → why everything under it is protected. */
const FOLDERS: Record<string, string> = {
  ".git": "git runs what its hooks and config name (core.fsmonitor) at the next git command",
  ".mini-claude": "it configures mini-claude",
  ".claude": "it configures coding agents, their hooks and their permissions",
  ".gemini": "it configures coding agents and the commands they run",
  ".codex": "it configures coding agents and the commands they run",
  ".vscode": "the editor runs its tasks and settings when the folder is opened",
  ".idea": "the IDE runs its run configurations and settings when the project is opened",
  ".devcontainer": "it chooses the container and the commands an editor runs to open the folder",
};

/** A path of two or more segments → why it is protected ("a/b" matches a folder a holding b). */
const NESTED: Record<string, string> = {
  ".github/workflows": "CI runs its workflows, with the repository's secrets, at the next push",
};

const SHELL_STARTUP = "it is a shell start-up file, run by every new shell";

/** A file name → why it is protected. */
const FILES: Record<string, string> = {
  ".envrc": "direnv runs it on entering the folder",
  ".mcp.json": "it chooses the programs coding agents start as MCP servers",
  ".bashrc": SHELL_STARTUP,
  ".bash_profile": SHELL_STARTUP,
  ".bash_login": SHELL_STARTUP,
  ".bash_logout": SHELL_STARTUP,
  ".profile": SHELL_STARTUP,
  ".zshrc": SHELL_STARTUP,
  ".zshenv": SHELL_STARTUP,
  ".zprofile": SHELL_STARTUP,
  ".zlogin": SHELL_STARTUP,
  ".zlogout": SHELL_STARTUP,
  ".kshrc": SHELL_STARTUP,
  ".cshrc": SHELL_STARTUP,
  ".tcshrc": SHELL_STARTUP,
  ".inputrc": "it configures every readline program's keys",
  "config.fish": SHELL_STARTUP,
  ".gitconfig": "git runs what its config names (core.fsmonitor, aliases, hooksPath)",
  ".gitmodules": "git clones and checks out what it names",
  ".ripgreprc": "ripgrep reads its flags from it, including the programs it runs (--pre)",
};

/** Inside `.git`, what no command may write: git runs or trusts what these name. */
const GIT_INTERNALS: Record<string, string> = {
  hooks: "git runs its hooks at the next git command",
  config: "git runs what its config names (core.fsmonitor) at the next git command",
  commondir: "it points git at another repository's config and hooks",
  info: "its attributes and excludes change what git runs and shows",
  worktrees: "its pointers send git to other folders",
};

const ENV_FILE = /^\.env(\..*)?$/;
const ENV_REASON = "it holds settings and secrets that mini-claude and other tools load";

/**
 * Why `relativePath` (relative to the workspace, in the platform's separators) is protected, in a
 * few words; undefined when writing it needs no question. `.env` files are protected from the file
 * tools only: commands write them as a matter of course (the sandbox does not refuse them).
 */
export function protectedReason(relativePath: string): string | undefined {
  const segments = relativePath.split(sep).filter(Boolean).map((segment) => segment.toLowerCase());
  for (let i = 0; i < segments.length; i++) {
    const pair = segments.slice(i, i + 2).join("/");
    if (i + 1 < segments.length && NESTED[pair]) return `${NESTED[pair]} (${pair}/)`;
  }
  for (const segment of segments.slice(0, -1)) {
    if (FOLDERS[segment]) return `${FOLDERS[segment]} (${segment}/)`;
  }
  const name = segments.at(-1);
  if (name === undefined) return undefined;
  if (FOLDERS[name]) return `${FOLDERS[name]} (${name})`;
  return FILES[name] ?? (ENV_FILE.test(name) ? ENV_REASON : undefined);
}

/**
 * The protected paths a shell command must never write, relative to the workspace root: every
 * folder and file name above at the root, plus `.git`'s internals. The sandbox protects those that
 * exist by a read-only mount and sweeps away those a command creates (processes/sandbox-policy.ts).
 */
export function sandboxProtectedPaths(): { root: string[]; git: string[] } {
  return { root: [...Object.keys(FOLDERS).filter((name) => name !== ".git"), ...Object.keys(NESTED), ...Object.keys(FILES)], git: Object.keys(GIT_INTERNALS) };
}

