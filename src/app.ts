import type { ParsedArgs } from "./args.js";
import { UsageError } from "./args.js";
import { loadConfig, NO_ENDPOINT_MESSAGE, type Config } from "./config.js";
import { EXIT } from "./exit-codes.js";
import type { Message } from "./history.js";
import { loadInputHistory } from "./input-history.js";
import { LineReader } from "./line-reader.js";
import { detectLocalServer, LOCAL_SERVERS } from "./local-server.js";
import { readPrintPrompt, runPrint } from "./print.js";
import { ProcessManager } from "./processes.js";
import { killForegroundSync } from "./shell.js";
import { PROMPT, runRepl } from "./repl.js";
import { forgetKeysFromEnvironment, setSecrets } from "./secrets.js";
import { Session } from "./session.js";
import { findSession, latestSession, listSessions, SessionLog, SessionLookupError } from "./sessions.js";
import { completeSlash } from "./slash-commands.js";
import { Renderer } from "./render.js";
import { colorEnabled } from "./style.js";
import type { ToolContext } from "./tools/index.js";

type Approve = ToolContext["approve"];

/**
 * The composition root: config, endpoint, transcript, background jobs, approvals, the session,
 * then the REPL or --print. Background jobs die with the process however it ends.
 */
export async function start(args: ParsedArgs, version: string): Promise<number> {
  const config = await loadConfig(args);
  // The unused provider's key is the person's secret too.
  setSecrets([config.apiKey, process.env.OPENAI_API_KEY, process.env.DEEPSEEK_API_KEY]);
  forgetKeysFromEnvironment();
  if (config.resume === "") return printSessionList(config);
  const endpointNote = await resolveEndpoint(config);
  const transcript = openTranscript(config);
  const log = safeLog(transcript.log, config);

  const processes = new ProcessManager();
  installCleanup(processes, config);
  const toolContext = (approve: Approve) => ({ root: config.workspace, processes, approve });
  const sessionOptions = {
    config,
    history: transcript.history,
    onMessage: log.append,
    onClear: log.restart,
    pendingNotices: () => processes.drainNotices(),
  };

  if (config.print) {
    const prompt = await readPrintPrompt(config.prompt);
    if (!prompt) throw new UsageError('--print needs a prompt: mini-claude -p "your request", or pipe one on stdin.');
    const session = new Session({ ...sessionOptions, toolContext: toolContext(printApproval(config)) });
    const interrupt = new AbortController();
    // First Ctrl-C or SIGTERM: stop the turn and exit 130 cleanly; a second one: exit now.
    const onSignal = () => (interrupt.signal.aborted ? process.exit(EXIT.interrupted) : interrupt.abort());
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    const code = await runPrint(session, config, prompt, interrupt.signal);
    if (!config.keepBackground) await processes.killAll();
    else reportKeptJobs(processes);
    return code;
  }

  const reader = new LineReader({
    prompt: PROMPT,
    completer: completeSlash,
    history: process.stdin.isTTY ? loadInputHistory(config.configDir) : [],
  });
  const color = colorEnabled(process.stdout);
  const renderer = new Renderer({ out: process.stdout, activity: process.stdout, color, streamText: true });
  const session = new Session({ ...sessionOptions, toolContext: toolContext(replApproval(config, reader, renderer)) });
  const notes = [endpointNote, transcript.resumedNote].filter(Boolean).join("\n");
  await runRepl({
    config,
    session,
    reader,
    renderer,
    banner: banner(version, config, session) + (notes ? `\n${notes}` : ""),
    listJobs: () => processes.formatList(),
  });
  await processes.killAll();
  return EXIT.ok;
}

/**
 * No key and no base URL: look for a local OpenAI-compatible server before giving up.
 * Returns a note for the banner when one was found.
 */
async function resolveEndpoint(config: Config): Promise<string | undefined> {
  if (config.apiKey || config.baseURL) return undefined;
  const found = await detectLocalServer();
  if (!found) {
    const override = process.env.MINI_CLAUDE_LOCAL_PORTS?.trim();
    const tried = override ? `ports ${override} from MINI_CLAUDE_LOCAL_PORTS` : LOCAL_SERVERS.map((s) => `${s.name} :${s.port}`).join(", ");
    throw new UsageError(`${NO_ENDPOINT_MESSAGE} No local server answered either (tried ${tried}).`);
  }
  config.baseURL = found.baseURL;
  config.model ??= found.model;
  return `Using ${found.name} at ${found.baseURL} (no API key configured).`;
}

/**
 * The transcript as the session uses it: a new file after /clear, and a failing disk costs one
 * warning, never a turn.
 */
function safeLog(first: SessionLog, config: Config) {
  let log: SessionLog | undefined = first;
  return {
    append: (message: Message) => {
      try {
        log?.append(message);
      } catch (error) {
        log = undefined;
        process.stderr.write(`mini-claude: cannot write the session transcript (${(error as Error).message}); continuing without it.\n`);
      }
    },
    restart: () => {
      if (log) log = SessionLog.create(config.dataDir, config.workspace, { model: config.model ?? "" });
    },
  };
}

interface Transcript {
  log: SessionLog;
  history?: Message[];
  resumedNote?: string;
}

/** A new transcript, or the one --continue / --resume ID asks for, with its repaired history. */
function openTranscript(config: Config): Transcript {
  const pick = config.continueLatest ? latestSession(config.dataDir, config.workspace) : undefined;
  if (config.continueLatest && !pick) {
    return { log: SessionLog.create(config.dataDir, config.workspace, { model: config.model ?? "" }), resumedNote: "No earlier session in this workspace; starting a new one." };
  }
  const id = pick?.id ?? (config.resume ? findSessionOrExplain(config) : undefined);
  if (!id) return { log: SessionLog.create(config.dataDir, config.workspace, { model: config.model ?? "" }) };
  const { log, messages, skipped } = SessionLog.open(config.dataDir, id);
  if (skipped > 0) {
    process.stderr.write(`mini-claude: skipped ${skipped} unreadable line${skipped === 1 ? "" : "s"} of ${log.path}; the rest of the session is resumed.\n`);
  }
  const turns = messages.filter((m) => m.role === "user").length;
  return { log, history: messages, resumedNote: `Resumed session ${id} (${turns} earlier request${turns === 1 ? "" : "s"}).` };
}

function findSessionOrExplain(config: Config): string {
  try {
    const found = findSession(config.dataDir, config.resume!);
    if (found.workspace !== config.workspace) {
      throw new UsageError(`Session ${found.id} belongs to ${found.workspace}; run from there, or pass -w ${found.workspace}.`);
    }
    return found.id;
  } catch (error) {
    if (error instanceof SessionLookupError) throw new UsageError(error.message);
    throw error;
  }
}

/** `--resume` without an id: list this workspace's sessions, newest first. */
function printSessionList(config: Config): number {
  const sessions = listSessions(config.dataDir, config.workspace);
  if (sessions.length === 0) {
    process.stdout.write(`No sessions yet for ${config.workspace}.\n`);
    return EXIT.ok;
  }
  for (const s of sessions.slice(0, 20)) {
    process.stdout.write(`${s.id}  ${s.updatedAt.slice(0, 16).replace("T", " ")}  ${String(s.messageCount).padStart(3)} msgs  ${s.firstPrompt}\n`);
  }
  process.stdout.write("Resume one with: mini-claude --resume ID (a unique prefix is enough)\n");
  return EXIT.ok;
}

function banner(version: string, config: Config, session: Session): string {
  const host = config.baseURL ? new URL(config.baseURL).host : "api.openai.com";
  const parts = [`mini-claude ${version}`, session.model ?? "(server's first model)", host, config.workspace];
  if (session.instructions) parts.push(`${session.instructions.file} loaded`);
  return `${parts.join(" · ")}\nType a request, /help for commands, Ctrl-C to interrupt, Ctrl-D to exit.`;
}

/** --print cannot ask, so shell commands run only with --yes. */
function printApproval(config: Config): Approve {
  if (config.yes) return async () => ({ approved: true });
  return async () => ({
    approved: false,
    reason: "mini-claude is running with --print, which cannot ask the user; shell commands need --yes (tell the user to re-run with --yes to allow them).",
  });
}

/** In the REPL, ask the person: y once, n (optionally with a reason), a for the rest of the session. */
function replApproval(config: Config, reader: LineReader, renderer: Renderer): Approve {
  let always = config.yes;
  return async (command) => {
    if (always) return { approved: true };
    // Everything queued (the spinner, the tool line) must be on screen before the question.
    await renderer.flush();
    const answer = await reader.ask(`Run \`${command}\`? [y]es / [n]o (add a reason) / [a]lways: `);
    if (answer === null) return { approved: false, interrupted: true };
    const text = answer.trim();
    if (/^a(lways)?$/i.test(text)) {
      always = true;
      return { approved: true };
    }
    if (/^y(es)?$/i.test(text)) return { approved: true };
    const reason = text.replace(/^n(o)?\b[\s:,-]*/i, "").trim();
    return { approved: false, reason: reason || undefined };
  };
}

/** --keep-background: tell the person what is still running and where its output goes. */
function reportKeptJobs(processes: ProcessManager): void {
  for (const job of processes.list().filter((j) => j.state === "running")) {
    const url = job.url ? ` at ${job.url}` : "";
    process.stderr.write(`Left running: job ${job.id} \`${job.command}\` (pid ${job.pid})${url}; output in ${job.logFile}\n`);
  }
}

/** Kill every background job however the process ends: normal exit, signals, or a crash. */
function installCleanup(processes: ProcessManager, config: Config): void {
  process.on("exit", () => {
    // Commands run in their own session, so no terminal signal reaches them: kill them here.
    killForegroundSync();
    if (!(config.print && config.keepBackground)) processes.killAllSync();
  });
  process.on("SIGHUP", () => process.exit(129));
  if (!config.print) process.on("SIGTERM", () => process.exit(143));
  process.on("uncaughtException", (error) => {
    process.stderr.write(`mini-claude: unexpected error: ${error.message} (run with DEBUG=1 for details)\n`);
    if (process.env.DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exit(EXIT.failed);
  });
}
