import type { AgentEvent } from "../../loop/agent.js";
import { showControls } from "../../sanitize.js";

/**
 * The tool calls of the last turn's subagents, kept for /expand: on screen each subagent is one
 * block whose tool lines are folded to a count (its `agent` call's outcome), so the person can
 * still see every call it made. One block per `agent` call, in the order their calls ended.
 */
export class SubagentBlocks {
  private readonly blocks = new Map<string, { description: string; lines: string[] }>();

  /** A new turn: the previous turn's blocks are forgotten. */
  reset(): void {
    this.blocks.clear();
  }

  add(event: Extract<AgentEvent, { type: "subagent_tool" }>): void {
    let block = this.blocks.get(event.id);
    if (!block) this.blocks.set(event.id, (block = { description: event.description, lines: [] }));
    block.lines.push(`  • ${event.label}`, `    └ ${event.ok ? "" : "failed: "}${event.display}`);
  }

  /** Every block, header and lines, their controls shown (a label quotes the model); undefined when there was none. */
  text(): string | undefined {
    if (this.blocks.size === 0) return undefined;
    const blocks = [...this.blocks.values()].map(({ description, lines }) => {
      const calls = lines.length / 2;
      return [`subagent: ${description} (${calls} tool call${calls === 1 ? "" : "s"})`, ...lines].join("\n");
    });
    return showControls(blocks.join("\n"), "\n");
  }
}
