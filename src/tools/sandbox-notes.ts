/**
 * What the model reads about the sandbox: one line after a command's output when the output shows
 * the sandbox got in the way (no network, a read-only path), so the model asks for the right thing
 * instead of guessing; and the refusal when --sandbox=on but the sandbox could not start.
 */
import { sandboxState } from "../processes/sandbox.js";

const WRITE_BLOCKED = /read-only file system|EROFS|operation not permitted|EPERM|permission denied|EACCES/i;
const NETWORK_BLOCKED = /\b403\b|blocked-by-sandbox|not an allowed domain|could not resolve|ENOTFOUND|EAI_AGAIN|getaddrinfo/i;

/**
 * The lines to add to a sandboxed command's observation, or undefined: what the engine recorded
 * as blocked (domains, with how to allow them), what it removed, and a hint when the output shows
 * a refused write or connection.
 */
export function sandboxNote(output: string, recorded: string[]): string | undefined {
  const lines = recorded.slice(0, 8).map((line) => (line.startsWith("Sandbox:") ? line : `Sandbox blocked: ${line}`));
  const { allowNet } = sandboxState();
  if (!allowNet && NETWORK_BLOCKED.test(output) && !lines.some((line) => /network|domain|outbound/i.test(line))) {
    lines.push("Sandbox: commands reach only allowed domains, through a proxy (HTTP_PROXY); a new domain is asked about in the REPL, and in --print it needs --allow-domain HOST.");
  }
  if (WRITE_BLOCKED.test(output) && !lines.some((line) => /write|file/i.test(line))) {
    lines.push(
      "Sandbox: if that was a refused write: only the workspace and $TMPDIR (private to this session) are writable, and protected paths (.git internals, .claude/, .mcp.json, .vscode/, .envrc, .github/workflows/…) are not. Use write_file for a protected file (the user is asked), or sandbox: false (the user is asked).",
    );
  }
  return lines.length ? lines.join("\n") : undefined;
}

/** Why a command may not run at all: --sandbox=on without a working sandbox. */
export function sandboxRefusal(): string | undefined {
  const state = sandboxState();
  if (state.mode !== "on" || state.active) return undefined;
  return `the sandbox is required (--sandbox=on) but unavailable: ${state.problem ?? "not started"}. Tell the user; commands cannot run.`;
}
