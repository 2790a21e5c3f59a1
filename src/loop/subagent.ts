import type OpenAI from "openai";
import { z } from "zod";
import { runAgent, type StopReason } from "./agent.js";
import type { AgentEvent } from "./events.js";
import { ContextGuard } from "../context/context.js";
import { formatTokens, type ContextWindow } from "../context/window.js";
import { findAgent, onlyReads, subagentPrompt, type AgentDefinition, type AgentSet } from "../extend/agents.js";
import type { Message } from "../model/history.js";
import { addUsage, type Usage } from "../model/usage.js";
import { defineTool, ToolError, ToolInterrupted, type Tool, type ToolContext, type ToolOutput, type ToolRegistry } from "../tools/index.js";
import { clip, firstLine } from "../text.js";

/**
 * The `agent` tool (Claude Code's Agent, once Task): the same loop in a fresh conversation, on
 * the same endpoint, with a short system prompt of its own and read-only tools unless its
 * definition lists others (extend/agents.ts). Only its final answer comes back as the observation,
 * so its tool outputs never enter the parent's context. It is defined here, not in tools/, because
 * it runs the loop. A subagent is never offered `agent` (no recursion).
 *
 * Its calls answer to the same approval decision as the parent's (the call's own `approve`), its
 * tokens count in the parent's usage (usage events carry `subagent`), and its tool calls reach
 * the person as `subagent_tool` events, folded into one block per subagent.
 */

/** Subagents of one conversation running at once; more wait for a free slot. */
const MAX_PARALLEL_SUBAGENTS = 4;

/** What a subagent borrows from the conversation that offers it. */
export interface SubagentHost {
  agents: AgentSet;
  client: () => Promise<OpenAI>;
  /** The parent's model now (/model may change it). */
  model: () => string;
  window: () => ContextWindow;
  /** A registry of these tools only, each as the parent has it (hooks; only tools the parent is offered); never `agent`. */
  tools: (names: string[]) => ToolRegistry;
  maxSteps: number;
  repeatLimit?: number;
  streamIdleMs?: number;
  /** The parent's event sink: usage and subagent_tool events. */
  emit: (event: AgentEvent) => void;
  /** Each subagent once it ends (answered, stopped or failed), with every token its own requests used. */
  finished: (run: SubagentRun) => void;
}

/** One subagent's requests added up: tokens the parent's own requests do not show. */
export interface SubagentRun {
  /** The parent's `agent` call. */
  id: string;
  /** Its description: how the person knows it. */
  label: string;
  agent: string;
  usage: Usage;
}

const params = z.object({
  description: z.string().describe("What it does in 3-5 words, for the user"),
  prompt: z.string().describe("The whole task; it sees nothing else"),
  subagent_type: z.string().optional().describe("An agent type listed above; default general-purpose"),
});

/** The `agent` tool for one conversation: its description lists the custom agents usable when it is made. */
export function agentTool(host: SubagentHost): Tool {
  const slots = new Slots(MAX_PARALLEL_SUBAGENTS);
  return defineTool({
    name: "agent",
    description: toolDescription(host.agents.usable()),
    params,
    summary: ({ description, subagent_type }) => `agent ${subagent_type ? `(${subagent_type}) ` : ""}${description}`,
    // A subagent that may act runs alone, in order, as exec and the file writers do.
    readOnly: ({ subagent_type }) => {
      const agent = findAgent(host.agents.usable(), subagent_type);
      return agent === undefined || onlyReads(agent);
    },
    run: async (args, ctx) => {
      const agent = findAgent(host.agents.usable(), args.subagent_type);
      if (!agent) throw new ToolError(unknownType(args.subagent_type ?? "", host.agents));
      await slots.take(ctx.signal);
      try {
        return await runSubagent(host, agent, args, ctx);
      } finally {
        slots.release();
      }
    },
  }) as unknown as Tool;
}

async function runSubagent(host: SubagentHost, agent: AgentDefinition, args: z.infer<typeof params>, ctx: ToolContext): Promise<ToolOutput> {
  const started = performance.now();
  const id = ctx.callId ?? "";
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let calls = 0;
  let answer = "";
  const onEvent = (event: AgentEvent) => {
    if (event.type === "usage") {
      addUsage(usage, event.usage);
      host.emit({ type: "usage", usage: event.usage, subagent: { id, agent: agent.name } });
    } else if (event.type === "tool_start") {
      ctx.progress?.(`${plural(calls, "tool call")} · ${event.label}`);
    } else if (event.type === "tool_end") {
      calls++;
      host.emit({ type: "subagent_tool", id, description: args.description, label: event.label, ok: event.ok, display: event.display });
    } else if (event.type === "assistant_end" && !event.toolCalls) {
      answer = event.text;
    }
  };
  const messages: Message[] = [
    { role: "system", content: subagentPrompt(agent, ctx.root) },
    { role: "user", content: args.prompt },
  ];
  let stop: StopReason;
  try {
    stop = await runAgent({
      client: await host.client(),
      model: agent.model ?? host.model(),
      messages,
      tools: host.tools(agent.tools),
      // Its own calls get their own ids and progress lines; the approval decision is the parent call's.
      toolContext: { ...ctx, progress: undefined, callId: undefined },
      signal: ctx.signal,
      maxSteps: host.maxSteps,
      repeatLimit: host.repeatLimit,
      streamIdleMs: host.streamIdleMs,
      context: new ContextGuard({ configured: host.window(), probe: async () => undefined, spillDir: ctx.spillDir }),
      onEvent,
    });
  } catch (error) {
    if (!ctx.signal.aborted) throw new ToolError(`the subagent stopped after ${plural(calls, "tool call")}: ${(error as Error)?.message ?? String(error)}`);
    stop = "aborted";
  } finally {
    host.finished({ id, label: args.description, agent: agent.name, usage });
  }
  if (stop === "aborted") throw new ToolError(`interrupted by the user after ${plural(calls, "tool call")}; the subagent gave no answer.`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const display = `${plural(calls, "tool call")} · ${formatTokens(usage.inputTokens + usage.outputTokens)} tokens · ${seconds}s`;
  const text = answer.trim() || "(The subagent finished without an answer.)";
  const output = stop === "done" ? text : `${text}\n\n[The subagent did not finish: ${stop === "cut" ? "its answer was cut by the output token limit" : `it stopped after ${host.maxSteps} model calls`}.]`;
  return { output, display, details: firstLine(text, 200) };
}

/** Short on purpose: every request pays for it. Custom agents add one clause each. */
function toolDescription(agents: AgentDefinition[]): string {
  const base =
    "Run a subagent: a fresh conversation with read-only tools that does one task and returns only its final answer (its tool outputs stay out of your context). " +
    "For broad searches and independent questions; calls in one reply run in parallel.";
  const custom = agents.filter((agent) => agent.scope !== "built-in");
  if (custom.length === 0) return base;
  return `${base}\nAgent types: ${custom.map((agent) => `${agent.name} (${clip(agent.description, 100)})`).join("; ")}.`;
}

function unknownType(type: string, agents: AgentSet): string {
  const names = agents.usable().map((agent) => agent.name).join(", ");
  const untrusted = agents.untrusted().find((agent) => agent.name.toLowerCase() === type.trim().toLowerCase());
  if (untrusted) {
    return `the project's agent "${untrusted.name}" may run commands or write files and the user has not trusted it (they can in the REPL, or with --trust-project-hooks). Use one of: ${names}.`;
  }
  return `unknown subagent_type "${type}". Use one of: ${names}.`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A counting semaphore: take() waits for a free slot (ToolInterrupted if the turn is stopped meanwhile). */
class Slots {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  take(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new ToolInterrupted());
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        signal.removeEventListener("abort", stop);
        resolve();
      };
      const stop = () => {
        this.waiting.splice(this.waiting.indexOf(go), 1);
        reject(new ToolInterrupted());
      };
      this.waiting.push(go);
      signal.addEventListener("abort", stop, { once: true });
    });
  }

  /** A finished subagent's slot goes straight to the next waiting one. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
