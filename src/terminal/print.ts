import { fstatSync } from "node:fs";
import type { Approvals } from "../approval/setup.js";
import { UsageError } from "../config/args.js";
import type { Config } from "../config/config.js";
import type { Conversation } from "../loop/conversation.js";
import { EXIT } from "../exit-codes.js";
import type { SessionHooks } from "../extend/hooks/setup.js";
import type { JobManager } from "../processes/jobs.js";
import { warmSandbox } from "../processes/sandbox.js";
import { showControls, stripControls } from "../sanitize.js";
import type { ToolContext } from "../tools/index.js";
import { colorEnabled } from "./render/colors.js";
import { describeError } from "./errors.js";
import { renderMarkdown } from "./render/markdown.js";
import { Renderer } from "./render/render.js";
import { onExitSync, onSignals } from "./input/signals.js";
import { templateInPrompt } from "./commands/templates.js";
import { printAnswer } from "../extend/mcp/elicitation.js";
import type { JsonPrinter, JsonPrintOptions } from "./json-print.js";

/**
 * How long a prompt argument waits for a pipe to say something before going on without it:
 * long enough for `git diff | mini-claude -p …`, short enough that a harness that leaves stdin
 * open and silent loses little.
 */
const STDIN_GRACE_MS = 1500;

export interface PrintMode {
  config: Config;
  conversation: Conversation;
  jobs: JobManager;
  /** The id for --resume, for --output-format json|stream-json. */
  sessionId?: () => string | undefined;
  hooks?: SessionHooks;
  approvals: Approvals;
  /** Claude's JSON dialect (`--json-dialect claude`): the sdk wing's printer, given by main. */
  claudePrinter?: (options: JsonPrintOptions) => Promise<JsonPrinter>;
}

/**
 * --print from start to exit: read the prompt, run it, then stop the background jobs (or, with
 * --keep-background, say which are left). The first Ctrl-C or SIGTERM stops the turn and exits
 * 130 cleanly; a second one exits at once. Resolves to the process exit code.
 */
export async function runPrintMode({ config, conversation, jobs, sessionId = () => undefined, hooks, approvals, claudePrinter }: PrintMode): Promise<number> {
  const typed = await readPrintPrompt(config.prompt);
  if (!typed) throw new UsageError('--print needs a prompt: mini-claude -p "your request", or pipe one on stdin.');
  const template = await templateInPrompt(typed, config, conversation, {
    say: (text) => process.stdout.write(`${text}\n`),
    warn: (text) => process.stderr.write(`mini-claude: ${showControls(text)}\n`),
    notice: (text) => process.stderr.write(`mini-claude: ${showControls(text)}\n`),
    yes: config.yes,
  });
  if (template === "done") return EXIT.ok;
  if (template === "refused") return EXIT.usage;
  const prompt = template?.prompt ?? typed;
  if (template?.model) conversation.model = template.model;
  const untrusted = hooks?.hooks.untrusted() ?? [];
  if (untrusted.length) {
    const files = [...new Set(untrusted.map((hook) => hook.source))].join(", ");
    process.stderr.write(`mini-claude: this project's hooks (${files}) did not run: --print runs project hooks only with --trust-project-hooks.\n`);
  }
  const acting = conversation.agents.untrusted();
  if (acting.length) {
    process.stderr.write(`mini-claude: this project's agents that run commands or write files (${acting.map((agent) => agent.source).join(", ")}) are not offered: trust them in the REPL, or pass --trust-project-hooks.\n`);
  }
  const waiting = approvals.permissions.untrusted();
  if (waiting.length) {
    process.stderr.write(`mini-claude: this project's permissions.allow (${waiting.join(", ")}) were not applied: --print applies a project's allow rules once you trusted them in the REPL.\n`);
  }
  const approve = approvals.printApprover();
  // Nobody can fill in a server's form: decline it (or take its defaults), and say so in one line.
  conversation.mcp?.setElicitor(async (server, request) => {
    const { answer, line } = printAnswer(server, request, config.mcpElicitation);
    process.stderr.write(`mini-claude: ${showControls(line)}
`);
    return answer;
  });
  const interrupt = new AbortController();
  const jsonOptions: JsonPrintOptions = { config, conversation, prompt, signal: interrupt.signal, approve, sessionId };
  const json: JsonPrinter | undefined =
    config.outputFormat === "text"
      ? undefined
      : claudePrinter
        ? await claudePrinter(jsonOptions)
        : new (await import("./json-print.js")).JsonPrint(jsonOptions);
  // A second interrupt exits at once, but JSON output still ends with its result line.
  const exitNow = () => (json ? void json.abandon().then(() => process.exit(EXIT.interrupted)) : process.exit(EXIT.interrupted));
  const stop = () => (interrupt.signal.aborted ? exitNow() : interrupt.abort());
  onSignals({ interrupt: stop, terminate: stop });
  if (json) onExitSync(() => json.atExit());
  const code = json ? await json.run() : await runPrint(conversation, config, prompt, interrupt.signal, approve);
  // The others stop with everything else of ours as main.ts ends.
  if (config.keepBackground) reportKeptJobs(jobs);
  return code;
}

/** --keep-background: tell the person what is still running and where its output goes. */
function reportKeptJobs(jobs: JobManager): void {
  for (const { job, stop } of jobs.keepRunning()) {
    const url = job.url ? ` at ${job.url}` : "";
    const line = `Left running: job ${job.id} \`${job.command}\` (pid ${job.pid})${url}; output in ${job.logFile}; stop it with: ${stop}`;
    process.stderr.write(`${showControls(line)}\n`);
  }
}

/** One request: the final answer on stdout and nothing else there (so it can be piped); tool activity and errors on stderr. */
async function runPrint(conversation: Conversation, config: Config, prompt: string, signal: AbortSignal, approve: ToolContext["approve"]): Promise<number> {
  const renderer = new Renderer({
    out: process.stderr,
    activity: process.stderr,
    color: colorEnabled(process.stderr),
    streamText: false,
  });
  let answer = "";
  try {
    const stop = await conversation.send(prompt, {
      signal,
      approve,
      onEvent: (event) => {
        // A tool has run, so commands are likely: the sandbox engine loads while the model thinks
        // again. A plain question (one request) never loads it; a first reply that is a command
        // starts it then.
        if (event.type === "request" && event.step === 2) setTimeout(warmSandbox, 0);
        if (event.type === "assistant_end") answer = event.text;
        renderer.handle(event);
      },
    });
    await renderer.flush();
    if (answer) process.stdout.write(await formatAnswer(answer));
    if (stop === "aborted") return EXIT.interrupted;
    if (stop === "cut") {
      await renderer.error("The answer was cut by the model's output token limit (finish_reason \"length\"): what was printed is incomplete.");
      return EXIT.failed;
    }
    if (stop === "max_steps") {
      await renderer.error(`Stopped after ${config.maxIterations} model calls (--max-iterations); the task may be unfinished.`);
      return EXIT.failed;
    }
    // A script must tell "the model said nothing" from an answer: stdout empty and exit 0 reads as success.
    if (!answer.trim()) {
      await renderer.error("The model gave no answer: its final reply was empty.");
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (error) {
    if (signal.aborted) return EXIT.interrupted;
    const message = await describeError(error, { baseURL: config.baseURL, model: conversation.model, print: true });
    if (message) await renderer.error(message);
    return EXIT.failed;
  }
}

/**
 * The answer as is for a pipe or a file (a script gets the model's bytes); rendered Markdown for a
 * terminal, without colour under NO_COLOR.
 */
async function formatAnswer(answer: string): Promise<string> {
  const safe = process.stdout.isTTY ? stripControls(answer) : answer;
  const color = colorEnabled(process.stdout);
  const text = color || process.stdout.isTTY
    ? await renderMarkdown(safe, { color, layout: true, width: process.stdout.columns }).catch(() => safe)
    : safe;
  return text.endsWith("\n") ? text : `${text}\n`;
}

/**
 * The prompt for --print: the argument, then whatever is piped in as context. Without an
 * argument stdin is read to the end. With one, a pipe that stays open and silent (how many
 * harnesses spawn tools) is not waited for.
 */
export async function readPrintPrompt(argument: string | undefined, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) return argument ?? "";
  // A file (`< notes.txt`) is always read whole; only a pipe or socket can stay silent forever.
  const grace = argument === undefined || isRegularFile(stdin) ? undefined : STDIN_GRACE_MS;
  const { text, gaveUp } = await readStdin(stdin, grace);
  if (gaveUp) {
    process.stderr.write(`mini-claude: nothing arrived on stdin within ${grace! / 1000} s, so it was ignored; to add slow output, save it to a file and use < file.\n`);
  }
  if (argument === undefined) return text.trim();
  return text.trim() ? `${argument}\n\n${text.trimEnd()}` : argument;
}

function isRegularFile(stdin: NodeJS.ReadStream): boolean {
  try {
    return fstatSync((stdin as unknown as { fd: number }).fd ?? 0).isFile();
  } catch {
    return false;
  }
}

function readStdin(stdin: NodeJS.ReadStream, graceMs?: number): Promise<{ text: string; gaveUp: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let gaveUp = false;
    const done = () => {
      clearTimeout(timer);
      stdin.off("data", onData);
      stdin.off("end", done);
      stdin.off("error", done);
      stdin.pause();
      // A silent pipe would otherwise keep the process alive after the answer.
      if (stdin.readableEnded === false) stdin.destroy();
      resolve({ text: Buffer.concat(chunks).toString("utf8"), gaveUp });
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(timer);
    };
    if (graceMs !== undefined) {
      timer = setTimeout(() => {
        gaveUp = true;
        done();
      }, graceMs);
    }
    stdin.on("data", onData);
    stdin.once("end", done);
    stdin.once("error", done);
  });
}
