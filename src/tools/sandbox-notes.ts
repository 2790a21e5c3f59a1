/**
 * What the model reads about the sandbox: one line after a command's output when the output shows
 * the sandbox got in the way (no network, a read-only path), so the model asks for the right thing
 * instead of guessing; and the refusal when --sandbox=on but the sandbox could not start.
 */
import { sandboxState } from "../processes/sandbox.js";

const NETWORK_ERROR =
  /could not resolve host|temporary failure in name resolution|name or service not known|getaddrinfo|EAI_AGAIN|ENOTFOUND|network is unreachable|ENETUNREACH|connection refused|ECONNREFUSED|failed to connect|unable to connect|could not connect|no route to host/i;
const WRITE_BLOCKED = /read-only file system|EROFS/i;
const PROTECTED = /\.git\/(?:hooks|config)|\.mini-claude\b/;

/**
 * The line to add to a sandboxed foreground command's observation, or undefined.
 * `network`: the command already had the network, so a connection error is not the sandbox's.
 */
export function sandboxNote(output: string, network: boolean): string | undefined {
  if (!network && !sandboxState().allowNet && NETWORK_ERROR.test(output)) {
    return "Sandbox: this command had no network (foreground commands run offline, localhost included, so background servers are out of reach too). If it needs the network, run it again with network: true (the user is asked), or the user can start mini-claude with --allow-net.";
  }
  if (WRITE_BLOCKED.test(output) || (PROTECTED.test(output) && /permission denied|EACCES|EPERM/i.test(output))) {
    return "Sandbox: that write was blocked. Only the workspace, /tmp (private to this session) and package caches are writable; .git/hooks, .git/config and .mini-claude stay read-only. If it must write elsewhere, run it with sandbox: false (the user is asked).";
  }
  return undefined;
}

/** Why a command may not run at all: --sandbox=on without a working sandbox. */
export function sandboxRefusal(): string | undefined {
  const state = sandboxState();
  if (state.mode !== "on" || state.active) return undefined;
  return `the sandbox is required (--sandbox=on) but unavailable: ${state.problem ?? "not started"}. Tell the user; commands cannot run.`;
}
