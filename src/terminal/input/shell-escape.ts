import { runCommand } from "../../processes/run.js";
import { redactSecrets } from "../../secrets.js";
import { stripControls } from "../../sanitize.js";
import { capOutput } from "../../truncate.js";

/**
 * `!command` at the prompt: the person's own shell command, run at once in the workspace with no
 * approval (they typed it), its output shown to them and kept as context that goes with their next
 * request, so the model sees what they saw.
 */

const TIMEOUT_MS = 10 * 60_000;
/** Lines shown on screen; the model gets the whole (capped) output. */
const SCREEN_LINES = 40;

export interface ShellEscape {
  /** What to print for the person. */
  screen: string;
  /** The context block for the next request. */
  context: string;
}

export async function runShellEscape(command: string, cwd: string, signal: AbortSignal): Promise<ShellEscape> {
  const result = await runCommand(command, { cwd, timeoutMs: TIMEOUT_MS, signal });
  const output = redactSecrets(result.output.replace(/\n+$/, ""));
  const ending = result.error
    ? `could not run: ${result.error}`
    : result.aborted
      ? "interrupted"
      : result.timedOut
        ? `timed out after ${TIMEOUT_MS / 60_000} minutes`
        : result.exitCode === null
          ? `killed by ${result.signal}`
          : `exit ${result.exitCode}`;
  const lines = stripControls(output).split("\n");
  const hidden = lines.length - SCREEN_LINES;
  const shown = hidden > 0 ? [`… ${hidden} earlier lines (the model gets them all)`, ...lines.slice(-SCREEN_LINES)] : lines;
  return {
    screen: `${output ? `${shown.join("\n")}\n` : ""}(${ending})`,
    context: `I ran \`${command}\` in the workspace myself (${ending}). Its output:\n\`\`\`\n${capOutput(output) || "(no output)"}\n\`\`\``,
  };
}
