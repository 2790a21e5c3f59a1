import { regimeLine } from "../../approval/decide.js";
import { sandboxState } from "../../processes/sandbox.js";

/**
 * What /sandbox prints: the regime in one line, then the policy in force (what commands may read,
 * write and reach), so a reader can see the boundary rather than trust it.
 */
export function sandboxReport(yes: boolean): string {
  const state = sandboxState();
  const lines = [`Sandbox: ${state.active ? "on" : "off"} (--sandbox=${state.mode}${state.allowNet ? ", --allow-net" : ""}).`, regimeLine(state, yes)];
  const policy = state.policy;
  if (!state.active || !policy) return lines.join("\n");
  lines.push(`Writable: ${policy.allowWrite.join(", ")}.`);
  lines.push("Never writable: .git internals (hooks, config, commondir, info, worktrees), .claude/, .mini-claude/, .mcp.json, .gemini/, .codex/, .vscode/, .idea/, .envrc, .github/workflows/, shell start-up files.");
  lines.push(`Never readable: ${policy.denyRead.join(", ")}.`);
  lines.push(`Network: ${state.allowNet ? "every domain (--allow-net)" : state.allowedDomains.length ? `allowed: ${state.allowedDomains.join(", ")}; others are asked about` : "no domain allowed yet; each is asked about"}.`);
  lines.push("Unix sockets, mount, and new namespaces are refused (seccomp); credentials in the environment are withheld.");
  return lines.join("\n");
}
