import { z } from "zod";
import { withheldNote } from "../processes/command-env.js";
import { KEPT_OUTPUT_BYTES, runCommand, type RunResult } from "../processes/run.js";
import { sandboxState } from "../processes/sandbox.js";
import { describeStart, JOB_COMMAND, runJobCommand } from "./background.js";
import { looksLikeDaemon } from "./daemon-commands.js";
import { defineTool, requireApproval, ToolError } from "./define.js";
import { OutputTee } from "./output-tee.js";
import { sandboxNote, sandboxRefusal } from "./sandbox-notes.js";
import { spillFooter } from "./spill.js";

/** The exec tool: one shell command in the workspace, in the sandbox when there is one, in the foreground or as a background job. */

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_TIMEOUT_MS = 600_000;

export const execTool = defineTool({
  name: "exec",
  changesFiles: true,
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
    sandbox: z.boolean().optional().describe("false: run outside the sandbox (asks the user)"),
  }),
  summary: ({ command, background }) => {
    const line = command.replace(/\s+/g, " ").trim();
    const short = line.length > 80 ? `${line.slice(0, 79)}…` : line;
    if (JOB_COMMAND.test(line)) return short;
    return (background ?? looksLikeDaemon(command)) ? `exec ${short} (background)` : `exec ${short}`;
  },
  readOnly: ({ command }) => onlyLooksAtJobs(command),
  async run({ command, timeout_ms = DEFAULT_TIMEOUT_MS, background, sandbox }, ctx) {
    // Plan mode changes nothing: a command runs in the foreground with nothing writable but the temp folder.
    const planning = ctx.planning?.() ?? false;
    if (planning && (background || (JOB_COMMAND.test(command.trim()) && !onlyLooksAtJobs(command)))) {
      throw new ToolError("plan mode changes nothing, so it starts and stops no background job; describe it in the plan instead.");
    }
    if (JOB_COMMAND.test(command.trim())) return runJobCommand(command, ctx.jobs);
    const unsandboxed = sandbox === false;
    const refusal = sandboxRefusal();
    if (refusal) throw new ToolError(refusal);
    await requireApproval(
      ctx,
      { kind: "command", command, ...(unsandboxed ? { unsandboxed } : {}) },
      (because) => `the user denied this command${because}. Do not run it again unchanged; adjust it or ask the user.`,
    );
    const withheld = withheldNote(command);
    if (!planning && (background ?? looksLikeDaemon(command))) {
      const started = describeStart(await ctx.jobs.start(command, { cwd: ctx.root, signal: ctx.signal, unsandboxed }));
      return withheld ? { ...started, output: `${started.output}\n${withheld}` } : started;
    }
    const sandboxed = sandboxState().active && !unsandboxed;
    ctx.progress?.("");
    // The observation keeps the head and tail; the tee keeps the middle on disk for read_file.
    const tee = ctx.spillDir ? new OutputTee(ctx.spillDir, "exec", KEPT_OUTPUT_BYTES) : undefined;
    const onOutput = (chunk: Buffer) => {
      tee?.push(chunk);
      ctx.progress?.(chunk.toString("utf8"));
    };
    const readOnly = planning && sandboxed;
    const result = await runCommand(command, { cwd: ctx.root, timeoutMs: timeout_ms, signal: ctx.signal, unsandboxed, onOutput, readOnly }).finally(() => tee?.close());
    if (result.error) throw new ToolError(`could not run the command: ${result.error}.`);
    const note = sandboxed ? sandboxNote(result.output, result.sandboxLines ?? []) : undefined;
    const saved = result.truncatedBytes > 0 && tee?.path ? savedFooter(tee.path, tee) : "";
    const planNote = readOnly ? "\n(plan mode: nothing was writable but $TMPDIR)" : "";
    const output = describeRun(command, result, timeout_ms) + (note ? `\n${note}` : "") + planNote + (withheld ? `\n${withheld}` : "") + saved;
    // The command's own time: the person's thinking time at the approval question is not in it.
    const ran = !result.timedOut && !result.aborted && result.exitCode !== null;
    if (!ran) return { output, display: output.split("\n", 1)[0], details: outputTail(result.output, TAIL_LINES_FAILED) };
    const details = outputTail(result.output, result.exitCode === 0 ? TAIL_LINES_OK : TAIL_LINES_FAILED);
    return { output, display: `exit ${result.exitCode} · ${(result.durationMs / 1000).toFixed(1)}s`, details, exitCode: result.exitCode! };
  },
});

/** bg_list and bg_logs only look; bg_kill and every shell command change something. */
function onlyLooksAtJobs(command: string): boolean {
  return /^(list|logs)\b/.test(JOB_COMMAND.exec(command.trim())?.[1] ?? "");
}

/** Where the whole output went; past the tee's cap the file holds only the start. */
function savedFooter(path: string, tee: OutputTee): string {
  if (!tee.unsaved) return spillFooter(path, tee.savedBytes);
  return `\n[The output's first ${tee.savedBytes} bytes are saved in ${path} (the last ${tee.unsaved} were not); page through it with read_file (offset/limit).]`;
}

/** Lines of a command's output the person sees under its outcome: a few, more when it failed. */
const TAIL_LINES_OK = 4;
const TAIL_LINES_FAILED = 12;

/** The last `count` non-empty lines of `text`, with how many came before. */
export function outputTail(text: string, count: number): string | undefined {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").filter((line) => line.trim());
  if (!lines.length) return undefined;
  const tail = lines.slice(-count);
  const hidden = lines.length - tail.length;
  return `${hidden ? `… ${hidden} more lines (/expand shows all)\n` : ""}${tail.join("\n")}`;
}

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
