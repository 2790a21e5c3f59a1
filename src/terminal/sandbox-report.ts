import { regimeLine } from "../approval/decide.js";
import { sandboxState } from "../processes/sandbox.js";

/**
 * What /sandbox prints: the regime in one line, then the exact argv the last command ran under
 * (quoted so it can be pasted into a shell), so a reader can see the boundary rather than trust it.
 */
export function sandboxReport(): string {
  const state = sandboxState();
  const lines = [`Sandbox: ${state.active ? "on" : "off"} (--sandbox=${state.mode}${state.allowNet ? ", --allow-net" : ""}).`, regimeLine(state)];
  if (state.lastArgv) lines.push(`Last command's sandbox:\n  ${state.lastArgv.map(quote).join(" ")} -- <shell> -c <command>`);
  else if (state.active) lines.push("No command has run in it yet.");
  return lines.join("\n");
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
