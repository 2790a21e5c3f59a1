import { z } from "zod";
import type { StartResult } from "../processes/jobs.js";
import { runCommand, type RunResult } from "../processes/run.js";
import { INTERRUPTED_BEFORE_RUN } from "../history.js";
import { defineTool, ToolError, type ToolContext } from "./define.js";

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_TIMEOUT_MS = 600_000;
const MAGIC = /^bg_(list|logs|kill)\b\s*(.*)$/;

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
    if (MAGIC.test(line)) return short;
    return (background ?? looksLikeDaemon(command)) ? `exec ${short} (background)` : `exec ${short}`;
  },
  async run({ command, timeout_ms = DEFAULT_TIMEOUT_MS, background }, ctx) {
    const magic = MAGIC.exec(command.trim());
    if (magic) {
      const output = await manageJobs(magic[1], magic[2], ctx);
      if (magic[1] !== "list") return output;
      const jobs = ctx.processes.list().length;
      return { output, display: `${jobs} job${jobs === 1 ? "" : "s"}` };
    }
    const decision = await ctx.approve(command);
    if (!decision.approved && (decision.interrupted || ctx.signal.aborted)) throw new ToolError(INTERRUPTED_BEFORE_RUN);
    if (!decision.approved) {
      const reason = decision.reason ? `: ${decision.reason.trim().replace(/[.\s]+$/, "")}` : "";
      throw new ToolError(`the user denied this command${reason}. Do not run it again unchanged; adjust it or ask the user.`);
    }
    if (background ?? looksLikeDaemon(command)) {
      const job = await ctx.processes.start(command, { cwd: ctx.root, signal: ctx.signal });
      const output = describeStart(job);
      const display = job.state === "running" ? `job ${job.id} running${job.url ? ` at ${job.url}` : ""}` : output.split("\n", 1)[0];
      return { output, display };
    }
    const result = await runCommand(command, { cwd: ctx.root, timeoutMs: timeout_ms, signal: ctx.signal });
    if (result.error) throw new ToolError(`could not run the command: ${result.error}.`);
    const output = describeRun(command, result, timeout_ms);
    // The command's own time: the person's thinking time at the approval question is not in it.
    const ran = !result.timedOut && !result.aborted && result.exitCode !== null;
    return { output, display: ran ? `exit ${result.exitCode} · ${(result.durationMs / 1000).toFixed(1)}s` : output.split("\n", 1)[0] };
  },
});

// Word edges that also exclude "-", ":" before and "-" after, so `--save-dev` and `dev-branch` do not count.
const DAEMON_PATTERNS: RegExp[] = [
  /^(?:npm|pnpm|yarn|bun)\s+(?:-\S+(?:\s+[^-\s]\S*)?\s+)*(?:run\s+)?(?:dev|start|serve|watch|preview)(?![\w-])/,
  /^(?:make|just)\s+(?:dev|start|serve|watch|run-?server)(?![\w-])/,
  /^vite(?![\w-])(?!\s+(?:build|optimize)(?![\w-]))/,
  /^(?:next|nuxt|nuxi|astro|remix|ng|expo|gatsby)\s+(?:dev|start|serve|develop|preview)(?![\w-])/,
  /^webpack(?:-dev-server(?![\w-])|\s+(?:serve|watch)(?![\w-]))/,
  /^(?:nodemon|uvicorn|gunicorn|hypercorn|daphne|live-server|http-server|browser-sync|json-server|ts-node-dev|serve)(?![\w-])/,
  /^(?:tsx|node)\s+(?:--)?watch(?![\w-])/,
  /^(?:tsc\s+(?:.*\s)?-w|cargo\s+watch)(?![\w-])/,
  /^(?:flask|streamlit)\s+run(?![\w-])/,
  /^python[\d.]*\s+(?:-\S+\s+)*-m\s+(?:http\.server|uvicorn|gunicorn|flask\s+run|streamlit\s+run)(?![\w-])/,
  /^python[\d.]*\s+manage\.py\s+runserver(?![\w-])/,
  /^(?:rails|bin\/rails)\s+(?:s|server)(?![\w-])/,
  /^php\s+(?:-S(?![\w-])|artisan\s+serve(?![\w-]))/,
  /^(?:hugo|jekyll|mkdocs|docusaurus)\s+(?:server|serve|start)(?![\w-])/,
  /^jupyter\s+(?:notebook|lab)(?![\w-])/,
  /^docker[\s-]+compose\s+up(?![\w-])(?!.*\s(?:-d|--detach)(?![\w-]))/,
  /^(?:tail\s+(?:.*\s)?(?:-[a-zA-Z]*[fF][a-zA-Z]*|--follow)(?![\w-])|watch\s)/,
  /(?:^|\s)--watch(?:=true)?(?![\w=-])/,
];
const WRAPPERS =
  /^(?:(?:[A-Za-z_]\w*=\S*|sudo|exec|nohup|time|npx(?:\s+(?:-y|--yes))?|bunx|(?:pnpm|yarn)\s+(?:exec|dlx)|bundle\s+exec|(?:poetry|uv|pipenv)\s+run)\s+)+/;
/** $'…' (backslash escapes), '…' (none), "…" (backslash escapes), and a backslash-escaped character. */
const QUOTED = /\$'(?:[^'\\]|\\[^])*'?|'[^']*'?|"(?:[^"\\]|\\[^])*"?|\\[^]/g;
const SEPARATOR = /&&|\|\||[;&|\n]/g;
/** `sh -c` whose script (blanked, so trimmed away) followed. */
const SHELL_C = /^(?:\S*\/)?(?:ba|da|k|z)?sh(?:\s+-\w+)*\s+-c$/;

/**
 * Whether a command looks like a server or watcher that never exits on its own.
 *
 * Contract: checks each part of a command list or pipeline (`cd app && npm run dev`,
 * `tail -f log | grep x`); keywords count only as the script or subcommand of a known runner, so
 * `npm install --save-dev`, `git checkout dev-branch` and `npm run build` stay in the foreground.
 * Quoted text is only text (`git commit -m 'fix; npm run dev'`, `echo "npm start"`), except the
 * script of `sh -c '…'` / `bash -c "…"`, which is classified as the command it runs.
 */
export function looksLikeDaemon(command: string): boolean {
  // Blanking keeps every offset, so a part of the blanked text maps back to the original.
  const blank = command.replace(QUOTED, (quoted) => " ".repeat(quoted.length));
  const ends = [...blank.matchAll(SEPARATOR)].map((match) => [match.index, match.index + match[0].length]);
  let start = 0;
  for (const [end, next] of [...ends, [blank.length, blank.length]]) {
    const part = blank.slice(start, end).trimEnd();
    const words = part.trimStart().replace(WRAPPERS, "");
    if (DAEMON_PATTERNS.some((pattern) => pattern.test(words))) return true;
    const script = /^(['"])([^]*)\1$/.exec(command.slice(start + part.length, end).trim())?.[2];
    if (SHELL_C.test(words) && script !== undefined && looksLikeDaemon(script)) return true;
    start = next;
  }
  return false;
}

async function manageJobs(action: string, rest: string, ctx: ToolContext): Promise<string> {
  const [idText, countText] = rest.split(/\s+/).filter(Boolean);
  if (action === "list") return ctx.processes.formatList();
  const id = Number(idText?.replace(/^#/, ""));
  if (!Number.isInteger(id)) throw new ToolError(`bg_${action} needs a job id, e.g. "bg_${action} 1". Use bg_list to see the ids.`);
  if (action === "logs") {
    const count = countText === undefined ? undefined : Number(countText);
    if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new ToolError(`bg_logs: "${countText}" is not a line count.`);
    return ctx.processes.logs(id, count);
  }
  const result = await ctx.processes.kill(id);
  if (!result.wasRunning) return `job ${id} \`${result.command}\` had already ended; nothing to kill.`;
  const count = result.killed.length;
  const ended = `job ${id} \`${result.command}\` stopped: ${count} process${count === 1 ? "" : "es"} ended (pids ${result.killed.join(", ") || "-"}).`;
  if (result.survivors.length === 0) return ended;
  return `${ended} Still alive despite SIGKILL: pids ${result.survivors.join(", ")}.`;
}

function describeStart(job: StartResult): string {
  const title = `background job ${job.id} (pid ${job.pid}) \`${job.command}\``;
  const log = job.log.length ? `\n${job.log.join("\n")}` : "\n(no output yet)";
  if (job.state === "running") {
    const url = job.url ? `, url ${job.url}` : "";
    const interrupted = job.interrupted ? "; the person interrupted the startup wait" : "";
    return `Started ${title}: running${url}${interrupted}. It keeps running in the background; check it with bg_logs ${job.id}, stop it with bg_kill ${job.id}.\nOutput so far:${log}`;
  }
  const ending = job.exitCode !== null ? `exit code ${job.exitCode}` : job.signal ? `signal ${job.signal}` : "it could not start";
  const verdict = job.state === "failed" ? "failed during startup" : "finished during startup";
  return `The ${title} ${verdict} (${ending}); it is not running.\nOutput:${log}`;
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
