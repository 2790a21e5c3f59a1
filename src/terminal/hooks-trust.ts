import type { SessionHooks } from "../extend/hooks/setup.js";
import type { HookCommand } from "../extend/hooks/settings.js";
import type { InputQueue } from "./input/queue.js";
import type { Renderer } from "./render/render.js";

/**
 * The REPL's trust question for a project's hooks: they are commands a repository wants to run on
 * this machine, so the person sees each one whole before saying yes. The answer is remembered
 * (hooks/trust.ts) until the hooks change.
 */
export async function askHookTrust(session: SessionHooks, reader: InputQueue, renderer: Renderer): Promise<void> {
  const untrusted = session.hooks.untrusted();
  if (untrusted.length === 0) return;
  if (!reader.isTerminal) {
    await renderer.notice("This project's hooks did not run: they are trusted only when the REPL asks in a terminal (or with --print --trust-project-hooks).");
    return;
  }
  await renderer.notice(`This project defines hooks, commands mini-claude would run on your machine:\n${hookLines(untrusted)}`);
  const answer = await reader.ask("Trust and run these hooks? [y]es / [n]o: ", new AbortController().signal);
  if (answer !== null && /^y(es)?$/i.test(answer.trim())) {
    const saved = session.trust();
    await renderer.notice(saved ? "Hooks trusted; you will be asked again if they change." : "Hooks trusted for this session (the decision could not be saved).");
  } else {
    await renderer.notice("The project's hooks will not run this session.");
  }
}

/** /hooks: every hook found, where it came from, and whether it runs. */
export function hooksReport(session: SessionHooks | undefined): string {
  const all = session?.hooks.all() ?? [];
  if (all.length === 0) return "No hooks. Define them under \"hooks\" in .mini-claude/settings.json or .claude/settings.json (project), or settings.json in the config folder (user).";
  const lines = all.map((hook) => `${hookLine(hook)}\n      from ${hook.source} (${hook.scope}${hook.active ? "" : ", not trusted: not run"})`);
  for (const { event, sources } of session?.hooks.ignored() ?? []) lines.push(`  ${event}: not run (mini-claude runs "command" hooks at its own events only)\n      in ${sources.join(", ")}`);
  for (const { hook, where, names } of session?.hooks.unsentToolNames() ?? []) {
    const place = where === "matcher" ? `its matcher names` : `${where} compares tool_name with`;
    lines.push(`  note: the ${hook.event} hook \`${hook.command}\`: ${place} ${names.join(", ")}, never sent here (tools are Bash, Read, Write, Edit, Glob, Grep, mcp__server__tool)`);
  }
  return lines.join("\n");
}

function hookLines(hooks: HookCommand[]): string {
  return hooks.map((hook) => `${hookLine(hook)}\n      from ${hook.source}`).join("\n");
}

function hookLine(hook: HookCommand): string {
  const matcher = hook.matcher ? ` [${hook.matcher}]` : "";
  return `  ${hook.event}${matcher}: ${hook.command} (timeout ${hook.timeoutMs / 1000} s)`;
}
