import type { ToolCallRequest, ToolRegistry, ToolResult } from "../tools/index.js";
import { hookToolInput, type Hooks } from "./hooks.js";

/**
 * The one seam between hooks and tools: a registry that runs PreToolUse hooks before each call
 * and PostToolUse hooks after it. The loop sees an ordinary registry, so every call is still
 * answered exactly once.
 *
 * Contract: a blocked call does not run and its observation is the hook's reason; PostToolUse
 * feedback (exit 2 or a "block" decision) is added to the observation the model reads.
 */
export function withHooks(registry: ToolRegistry, hooks: Hooks, cwd: string): ToolRegistry {
  return {
    ...registry,
    run: async (call: ToolCallRequest, ctx): Promise<ToolResult> => {
      if (!hooks.has("PreToolUse", call.name) && !hooks.has("PostToolUse", call.name)) return registry.run(call, ctx);
      const toolInput = hookToolInput(parseArguments(call.arguments), cwd);
      const before = await hooks.run("PreToolUse", { tool_name: call.name, tool_input: toolInput }, ctx.signal, call.name);
      // Ctrl-C during a hook stops the call too: it must not run after the person said stop.
      if (ctx.signal.aborted) return { output: "", ok: false, label: registry.label(call), display: "interrupted", interrupted: true };
      if (before.block !== undefined) {
        const output = `Error: a PreToolUse hook blocked this call: ${before.block}`;
        return { output, ok: false, label: registry.label(call), display: `blocked by hook: ${before.block.split("\n", 1)[0]}` };
      }
      const result = await registry.run(call, ctx);
      if (result.interrupted) return result;
      const response = { ok: result.ok, output: result.output, ...(result.exitCode === undefined ? {} : { exit_code: result.exitCode }) };
      const after = await hooks.run("PostToolUse", { tool_name: call.name, tool_input: toolInput, tool_response: response }, ctx.signal, call.name);
      const feedback = after.block ?? after.context;
      return feedback ? { ...result, output: `${result.output}\n\n[PostToolUse hook: ${feedback}]` } : result;
    },
  };
}

function parseArguments(args: string): unknown {
  try {
    return args.trim() ? JSON.parse(args) : {};
  } catch {
    return {};
  }
}
