/**
 * Background jobs in words, for the model and for the person: the bg_list / bg_logs / bg_kill
 * commands the model runs through exec, the report of a job's start, how a job ended (one phrase,
 * endedHow, whoever reads it), and the job table the person sees with /bg. The job manager
 * (processes/jobs.ts) only returns data; every sentence is here.
 */
import type { EndedJob, JobInfo, JobLogView, JobManager, StartResult } from "../processes/jobs.js";
import { UnknownJobError } from "../processes/jobs.js";
import { redactSecrets } from "../secrets.js";
import { ToolError, type ToolOutput } from "./define.js";

/** `bg_list`, `bg_logs <id> [n]`, `bg_kill <id>`, as the model types them into exec. */
export const JOB_COMMAND = /^bg_(list|logs|kill)\b\s*(.*)$/;

/** Run one bg_* command. Contract: throws ToolError (worded for the model) for a bad or unknown id. */
export async function runJobCommand(command: string, jobs: JobManager): Promise<ToolOutput> {
  const [, action, rest] = JOB_COMMAND.exec(command.trim()) ?? [];
  if (action === "list") {
    const list = jobs.list();
    return { output: jobTable(list), display: `${list.length} job${list.length === 1 ? "" : "s"}` };
  }
  const [idText, countText] = (rest ?? "").split(/\s+/).filter(Boolean);
  const id = Number(idText?.replace(/^#/, ""));
  if (!Number.isInteger(id)) throw new ToolError(`bg_${action} needs a job id, e.g. "bg_${action} 1". Use bg_list to see the ids.`);
  try {
    if (action === "logs") {
      const count = countText === undefined ? undefined : Number(countText);
      if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new ToolError(`bg_logs: "${countText}" is not a line count.`);
      const view = jobs.logs(id, count);
      return { output: jobLogsText(view), display: `${view.lines.length} line${view.lines.length === 1 ? "" : "s"} of job ${id}` };
    }
    return { output: await killText(id, jobs) };
  } catch (error) {
    if (!(error instanceof UnknownJobError)) throw error;
    const known = error.known.length ? `the jobs are ${error.known.join(", ")}` : "no jobs were started";
    throw new ToolError(`there is no background job ${id}; ${known}. Use bg_list.`);
  }
}

/** What the model reads after exec started a job: running with its URL, or how it ended during startup. */
export function describeStart(job: StartResult): ToolOutput {
  const title = `background job ${job.id} (pid ${job.pid}) \`${job.command}\``;
  const log = job.log.length ? `\n${job.log.join("\n")}` : "\n(no output yet)";
  if (job.state === "running") {
    const url = job.url ? `, url ${job.url}` : "";
    const interrupted = job.interrupted ? "; the person interrupted the startup wait" : "";
    return {
      output: `Started ${title}: running${url}${interrupted}. It keeps running in the background; check it with bg_logs ${job.id}, stop it with bg_kill ${job.id}.\nOutput so far:${log}`,
      display: `job ${job.id} running${job.url ? ` at ${job.url}` : ""}`,
    };
  }
  const verdict = job.state === "failed" ? "failed during startup" : "finished during startup";
  const first = `The ${title} ${verdict}: it ${endedHow(job)}; it is not running.`;
  return { output: `${first}\nOutput:${log}`, display: first };
}

/** The person's line for a job that ended on its own: "background job 2 `npm run dev` exited with code 1". */
export function jobEndedLine(job: JobInfo): string {
  return `background job ${job.id} \`${job.command}\` ${endedHow(job)}`;
}

/**
 * A job that ended on its own, for both audiences: `display` is the person's line, `text` the
 * model's notice, the same line with the job's last output (its secrets redacted: a job may print
 * the key).
 */
export function jobEndedNotice(job: EndedJob): { text: string; display: string } {
  const display = jobEndedLine(job);
  const output = job.lastLines.length ? `; last output:\n${job.lastLines.map((line) => `  ${line}`).join("\n")}` : "";
  return { text: redactSecrets(`${display}${output}`), display };
}

/** How a job ended, in the one phrase both audiences read. */
function endedHow(job: JobInfo): string {
  if (job.exitCode !== null) return `exited with code ${job.exitCode}`;
  return job.signal ? `was killed by ${job.signal}` : "could not start";
}

/** One line per running job ("job 1 `npm run dev` at http://localhost:5173/"), for the facts a summary keeps. */
export function runningJobLines(jobs: JobInfo[]): string[] {
  return jobs.filter((job) => job.state === "running").map((job) => `job ${job.id} \`${job.command}\`${job.url ? ` at ${job.url}` : ""}`);
}

/** A table of all jobs, for bg_list and the person's /bg. */
export function jobTable(jobs: JobInfo[], now = Date.now()): string {
  if (jobs.length === 0) return "No background jobs.";
  const rows = [["id", "pid", "state", "uptime", "url", "command"]];
  for (const job of jobs) {
    const uptime = formatDuration((job.endedAt ?? now) - job.startedAt);
    rows.push([String(job.id), String(job.pid), describeState(job), uptime, job.url ?? "-", job.command]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column < 5 ? cell.padEnd(widths[column]) : cell)).join("  ")).join("\n");
}

/** bg_logs' answer: a header with the job's state and how much is shown, then the lines. */
export function jobLogsText({ job, lines, totalLines, keptLines }: JobLogView): string {
  const dropped = totalLines - Math.min(totalLines, keptLines);
  const counts = lines.length === 0 ? "no output yet" : `last ${lines.length} of ${totalLines} lines`;
  const note = dropped > 0 ? `; ${dropped} older lines were dropped (only the last ${keptLines} are kept)` : "";
  return [`job ${job.id} \`${job.command}\` (${describeState(job)}): ${counts}${note}`, ...lines].join("\n");
}

async function killText(id: number, jobs: JobManager): Promise<string> {
  const result = await jobs.kill(id);
  if (!result.wasRunning) return `job ${id} \`${result.command}\` had already ended; nothing to kill.`;
  const count = result.killed.length;
  const ended = `job ${id} \`${result.command}\` stopped: ${count} process${count === 1 ? "" : "es"} ended (pids ${result.killed.join(", ") || "-"}).`;
  if (result.survivors.length === 0) return ended;
  return `${ended} Still alive despite SIGKILL: pids ${result.survivors.join(", ")}.`;
}

function describeState(job: JobInfo): string {
  const detail = job.exitCode ?? job.signal;
  return job.state === "running" || job.state === "killed" || detail === null ? job.state : `${job.state}(${detail})`;
}

/** "45s", "3m05s", "2h07m". */
function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}
