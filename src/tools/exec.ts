import { z } from "zod";
import { runCommand, type RunResult } from "../processes/run.js";
import { describeStart, JOB_COMMAND, runJobCommand } from "./background.js";
import { looksLikeDaemon } from "./daemon-commands.js";
import { defineTool, ToolError, ToolInterrupted } from "./define.js";

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_TIMEOUT_MS = 600_000;

export const execTool = defineTool({
  name: "exec",
  description:
    "Run a shell command in the workspace root (non-interactive, stdin closed). Returns output and exit code; a non-zero " +
    "exit is a result, not a tool failure. Servers and watchers (dev, start, serve, watch…) or background:true start a " +
    "background job: you get its id, pid and URL and it keeps running, which is success. Manage jobs with the commands " +
    "`bg_list`, `bg_logs <id> [n]`, `bg_kill <id>`.",
  params: z.object({
    command: z.string().min(1).describe("Shell command, or bg_list / bg_logs <id> [n] / bg_kill <id>"),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .max(MAX_TIMEOUT_MS)
      .optional()
      .describe(`Foreground timeout (default ${DEFAULT_TIMEOUT_MS})`),
    background: z.boolean().optional().describe("Run as a background job (default: auto-detected)"),
  }),
  summary: ({ command, background }) => {
    const line = command.replace(/\s+/g, " ").trim();
    const short = line.length > 80 ? `${line.slice(0, 79)}…` : line;
    if (JOB_COMMAND.test(line)) return short;
    return (background ?? looksLikeDaemon(command)) ? `exec ${short} (background)` : `exec ${short}`;
  },
  // bg_list and bg_logs only look; bg_kill and every shell command change something.
  readOnly: ({ command }) => /^(list|logs)\b/.test(JOB_COMMAND.exec(command.trim())?.[1] ?? ""),
  async run({ command, timeout_ms = DEFAULT_TIMEOUT_MS, background }, ctx) {
    if (JOB_COMMAND.test(command.trim())) return runJobCommand(command, ctx.jobs);
    const decision = await ctx.approve({ kind: "command", command }, ctx.signal);
    if (!decision.approved && (decision.interrupted || ctx.signal.aborted)) throw new ToolInterrupted();
    if (!decision.approved) {
      const reason = decision.reason ? `: ${decision.reason.trim().replace(/[.\s]+$/, "")}` : "";
      throw new ToolError(`the user denied this command${reason}. Do not run it again unchanged; adjust it or ask the user.`);
    }
    if (background ?? looksLikeDaemon(command)) {
      return describeStart(await ctx.jobs.start(command, { cwd: ctx.root, signal: ctx.signal }));
    }
    const result = await runCommand(command, { cwd: ctx.root, timeoutMs: timeout_ms, signal: ctx.signal });
    if (result.error) throw new ToolError(`could not run the command: ${result.error}.`);
    const output = describeRun(command, result, timeout_ms);
    // The command's own time: the person's thinking time at the approval question is not in it.
    const ran = !result.timedOut && !result.aborted && result.exitCode !== null;
    return { output, display: ran ? `exit ${result.exitCode} · ${(result.durationMs / 1000).toFixed(1)}s` : output.split("\n", 1)[0] };
  },
});

/**
 * The observation for a foreground run. A normal exit ends with "exit code N (1.2s)" after the
 * output; any other ending is said on the first line, which is what the person's summary shows.
 */
function describeRun(command: string, result: RunResult, timeoutMs: number): string {
  const text = result.output.replace(/\n+$/, "");
  const seconds = `${(result.durationMs / 1000).toFixed(1)}s`;
  if (!result.timedOut && !result.aborted && result.exitCode !== null) {
    return `${text || "(no output)"}\n\nexit code ${result.exitCode} (${seconds})`;
  }
  let status = `Killed by ${result.signal} after ${seconds}.`;
  let hint = "";
  if (result.timedOut) {
    status = `Timed out after ${timeoutMs / 1000}s; the command's process tree was killed.`;
    hint = looksLikeServer(command, result.output)
      ? "If it is a server or watcher, run it with background: true."
      : timeoutMs < MAX_TIMEOUT_MS
        ? `If it needs longer, raise timeout_ms (max ${MAX_TIMEOUT_MS}).`
        : "";
  } else if (result.aborted) {
    status = `Interrupted by the user after ${seconds}; the command's process tree was killed.`;
  }
  const output = text ? `${result.aborted || result.timedOut ? "Output so far" : "Output"}:\n${text}` : "It printed nothing.";
  return `${status}\n${output}${hint ? `\n\n${hint}` : ""}`;
}

function looksLikeServer(command: string, output: string): boolean {
  return looksLikeDaemon(command) || /\b(?:listening|ready|serving)\b|https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)/i.test(output);
}
