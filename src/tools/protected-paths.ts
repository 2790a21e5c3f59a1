import { relative, sep } from "node:path";
import { requireApproval, type FileDiff, type ToolContext } from "./define.js";

/**
 * Files whose change takes effect outside the task at hand: they configure mini-claude or another
 * agent, or they run code at a moment the person does not connect with the model's write (the next
 * `git status`, opening the folder in an editor, `cd` into it, a new shell). A model steered by a
 * planted prompt could otherwise leave a `core.fsmonitor` line in .git/config and be gone long
 * before it runs. File tools may read these; a write or an edit asks the person first, with the diff.
 * Names are compared case-insensitively, as macOS and Windows file systems compare them.
 */

/** A folder anywhere on the path → why everything under it is protected. */
const FOLDERS: Record<string, string> = {
  ".git": "git runs what its hooks and config name (core.fsmonitor) at the next git command",
  ".mini-claude": "it configures mini-claude",
  ".claude": "it configures coding agents, their hooks and their permissions",
  ".vscode": "the editor runs its tasks and settings when the folder is opened",
  ".idea": "the IDE runs its run configurations and settings when the project is opened",
  ".devcontainer": "it chooses the container and the commands an editor runs to open the folder",
};

/** A file name → why it is protected. */
const FILES: Record<string, string> = {
  ".envrc": "direnv runs it on entering the folder",
  ".mcp.json": "it chooses the programs coding agents start as MCP servers",
  ".bashrc": "it is a shell start-up file, run by every new shell",
  ".bash_profile": "it is a shell start-up file, run by every new shell",
  ".bash_login": "it is a shell start-up file, run by every new shell",
  ".bash_logout": "it is a shell start-up file, run by every new shell",
  ".profile": "it is a shell start-up file, run by every new shell",
  ".zshrc": "it is a shell start-up file, run by every new shell",
  ".zshenv": "it is a shell start-up file, run by every new shell",
  ".zprofile": "it is a shell start-up file, run by every new shell",
  ".zlogin": "it is a shell start-up file, run by every new shell",
  ".zlogout": "it is a shell start-up file, run by every new shell",
  ".kshrc": "it is a shell start-up file, run by every new shell",
  ".cshrc": "it is a shell start-up file, run by every new shell",
  ".tcshrc": "it is a shell start-up file, run by every new shell",
  ".inputrc": "it configures every readline program's keys",
  "config.fish": "it is a shell start-up file, run by every new shell",
  ".gitconfig": "git runs what its config names (core.fsmonitor, aliases, hooksPath)",
};

const ENV_FILE = /^\.env(\..*)?$/;
const ENV_REASON = "it holds settings and secrets that mini-claude and other tools load";

/**
 * Contract: why `absolute` (a path already resolved inside `root`, symlinks followed) is protected,
 * in a few words; undefined when writing it needs no question. `requested` is the path as the
 * model wrote it, checked too, so a symlink named innocently cannot hide where a write lands, and
 * a protected name cannot be reached through an innocent one.
 */
export function protectedReason(root: string, absolute: string, requested?: string): string | undefined {
  const real = relative(root, absolute);
  const asked = requested ? relative(root, requested) : real;
  const reason = reasonFor(real);
  if (reason && asked !== real) return `it leads to ${real}, and ${reason.replace(/^it /, "that ")}`;
  return reason ?? reasonFor(asked);
}

function reasonFor(path: string): string | undefined {
  const segments = path.split(sep).filter(Boolean).map((segment) => segment.toLowerCase());
  for (const segment of segments.slice(0, -1)) {
    if (FOLDERS[segment]) return `${FOLDERS[segment]} (${segment}/)`;
  }
  const name = segments.at(-1);
  if (name === undefined) return undefined;
  if (FOLDERS[name]) return `${FOLDERS[name]} (${name})`;
  return FILES[name] ?? (ENV_FILE.test(name) ? ENV_REASON : undefined);
}

/**
 * Put a write to the approval decision: it asks for a protected path (with the diff) and applies
 * the person's Edit/Write rules; returns when the write may go ahead. Contract: throws
 * ToolInterrupted for Ctrl-C at the question, and a ToolError that tells the model why otherwise.
 */
export async function approveWrite(ctx: ToolContext, tool: string, absolute: string, requested: string, diff: FileDiff): Promise<void> {
  const reason = protectedReason(ctx.root, absolute, requested);
  await requireApproval(ctx, { kind: "write", tool, path: absolute, requested, ...(reason ? { reason } : {}), diff }, (because) =>
    reason
      ? `the user refused this write to ${diff.path}${because}. It is a protected path (${reason}), so every change ` +
        "to it needs the user's approval. Do not retry it unchanged; tell the user what you wanted to change and why."
      : `the user refused this write to ${diff.path}${because}. Do not retry it unchanged; ask the user.`,
  );
}
