import type { AgentDefinition, AgentSet } from "../extend/agents.js";
import type { SessionHooks } from "../extend/hooks/setup.js";
import type { HookCommand } from "../extend/hooks/settings.js";
import type { InputQueue } from "./input/queue.js";
import type { Renderer } from "./render/render.js";

/**
 * The REPL's trust question for what a project would run on this machine: its hooks (commands)
 * and its subagents that may run commands or write files (extend/agents.ts). One decision covers
 * both, as --trust-project-hooks does: the person sees each hook and agent whole before saying
 * yes. The answer is remembered (hooks/trust.ts) until they change.
 */
export async function askHookTrust(session: SessionHooks | undefined, agents: AgentSet, reader: InputQueue, renderer: Renderer): Promise<void> {
  const hooks = session?.hooks.untrusted() ?? [];
  const acting = agents.untrusted();
  if (hooks.length === 0 && acting.length === 0) return;
  const what = [hooks.length ? "hooks" : "", acting.length ? "agents that run commands or write files" : ""].filter(Boolean).join(" and ");
  if (!reader.isTerminal) {
    await renderer.notice(`This project's ${what} ${hooks.length ? "did not run" : "are not offered"}: they are trusted only when the REPL asks in a terminal (or with --print --trust-project-hooks).`);
    return;
  }
  const shown = [
    ...(hooks.length ? [`This project defines hooks, commands mini-claude would run on your machine:\n${hookLines(hooks)}`] : []),
    ...(acting.length ? [`This project defines subagents that may run commands or write files:\n${agentLines(acting)}`] : []),
  ];
  await renderer.notice(shown.join("\n"));
  const answer = await reader.ask(`Trust and ${hooks.length ? "run these hooks" : "offer these agents"}? [y]es / [n]o: `, new AbortController().signal);
  if (answer !== null && /^y(es)?$/i.test(answer.trim())) {
    // Both are remembered, each under its own content; one that could not be saved holds for this session.
    const saved = [hooks.length ? session!.trust() : true, acting.length ? agents.trust() : true].every(Boolean);
    const name = hooks.length ? (acting.length ? "Hooks and agents" : "Hooks") : "Agents";
    await renderer.notice(saved ? `${name} trusted; you will be asked again if they change.` : `${name} trusted for this session (the decision could not be saved).`);
  } else {
    await renderer.notice(`The project's ${hooks.length ? `hooks will not run${acting.length ? " and its acting agents will not be offered" : ""}` : "acting agents will not be offered"} this session.`);
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

function agentLines(agents: AgentDefinition[]): string {
  return agents.map((agent) => `  ${agent.name}: tools ${agent.tools.join(", ")} (${agent.source})`).join("\n");
}

function hookLine(hook: HookCommand): string {
  const matcher = hook.matcher ? ` [${hook.matcher}]` : "";
  return `  ${hook.event}${matcher}: ${hook.command} (timeout ${hook.timeoutMs / 1000} s)`;
}
