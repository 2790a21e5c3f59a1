import type { ParsedArgs } from "./args.js";
import { loadConfig } from "./config.js";
import { Conversation } from "./conversation.js";
import { resolveEndpoint } from "./endpoint.js";
import { EXIT } from "./exit-codes.js";
import { approvalRegime } from "./approval-rule.js";
import { JobManager } from "./processes/jobs.js";
import { configureSandbox, disposeSandbox } from "./processes/sandbox.js";
import { openTranscript, sessionListText } from "./resume.js";
import { forgetKeysFromEnvironment, redactSecrets, setSecrets } from "./secrets.js";
import { RewindRecorder } from "./rewind/recorder.js";
import { runPrintMode } from "./terminal/print.js";
import { rewindLastRun } from "./terminal/rewind-command.js";
import { runReplMode } from "./terminal/repl.js";
import { killChildrenOnExit } from "./terminal/signals.js";
import { jobNotices, runningJobLines } from "./tools/background.js";
import { spillDirOf } from "./tools/spill.js";

/**
 * Wiring only: config, endpoint, transcript, background jobs and the conversation, then the REPL
 * or --print. Every policy lives with its owner; this file decides nothing.
 */
export async function main(args: ParsedArgs, version: string): Promise<number> {
  const config = await loadConfig(args);
  // The unused provider's key is the person's secret too.
  setSecrets([config.apiKey, process.env.OPENAI_API_KEY, process.env.DEEPSEEK_API_KEY]);
  forgetKeysFromEnvironment();
  if (config.resume === "") {
    process.stdout.write(sessionListText(config));
    return EXIT.ok;
  }
  if (config.rewindLast) return rewindLastRun(config, (line) => process.stdout.write(`${line}\n`));
  const endpointNote = await resolveEndpoint(config);
  const transcript = openTranscript(config, (line) => process.stderr.write(`mini-claude: ${line}\n`));
  const sandbox = configureSandbox({
    mode: config.sandbox,
    root: config.workspace,
    allowNet: config.allowNet,
    jobsOutliveUs: config.print && config.keepBackground,
  });
  // Jobs left running by --keep-background still use the session's /tmp.
  if (!(config.print && config.keepBackground)) process.once("exit", disposeSandbox);
  // Never a silent fallback: --print says it on stderr, the REPL under its banner.
  if (config.print && sandbox.problem) process.stderr.write(`mini-claude: ${sandbox.problem}.\n`);
  const jobs = new JobManager();
  killChildrenOnExit(jobs, { keepJobs: config.print && config.keepBackground });
  const conversation = new Conversation({
    config,
    jobs,
    history: transcript.history,
    compactionState: transcript.compaction,
    onMessage: transcript.append,
    onCompaction: transcript.recordCompaction,
    onClear: transcript.restart,
    // Job notices quote a job's output, which may have printed the key.
    pendingNotices: () => jobNotices(jobs.drainEnded()).map(redactSecrets),
    runningJobs: () => runningJobLines(jobs.list()),
    spillDir: spillDirOf(config.dataDir),
    recorder: new RewindRecorder({ root: config.workspace, dataDir: config.dataDir, maxBytes: config.rewindMaxBytes, session: transcript.id }),
  });
  const mode = { config, conversation, jobs };
  if (config.print) return runPrintMode(mode);
  const notes = [endpointNote, transcript.note, approvalRegime()].filter((note) => note !== undefined);
  return runReplMode({ ...mode, version, notes });
}
