import type { AgentEvent } from "../loop/agent.js";
import type { Config } from "../config/config.js";
import { formatTokens } from "../context/window.js";
import type { Conversation } from "../loop/conversation.js";
import { EXIT } from "../exit-codes.js";
import type { JobManager } from "../processes/jobs.js";
import { showControls } from "../sanitize.js";
import type { SessionHooks } from "../extend/hooks/setup.js";
import type { Approvals } from "../approval/setup.js";
import { replApproval } from "./approval-question.js";
import { warmSandbox } from "../processes/sandbox.js";
import { refusalFor, setNetworkAsker } from "../processes/sandbox-network.js";
import { askPermissionTrust } from "./commands/permissions.js";
import { colorEnabled } from "./render/colors.js";
import { describeError } from "./errors.js";
import { askHookTrust } from "./hooks-trust.js";
import { loadInputHistory, saveInputLine } from "./input/history.js";
import { InputQueue } from "./input/queue.js";
import { showEndedJobs } from "./job-notices.js";
import { attachMentions, completeMention } from "./input/mentions.js";
import type { ContentPart } from "../images.js";
import { attachResourceMentions } from "./input/resource-mentions.js";
import { replElicitation } from "./elicitation-form.js";
import { promptNames } from "./commands/mcp-prompts.js";
import { recapLines } from "./commands/recap.js";
import { runShellEscape } from "./input/shell-escape.js";
import { Renderer } from "./render/render.js";
import { SessionChanges } from "./commands/session-changes.js";
import { onSignals } from "./input/signals.js";
import { showPaged } from "./render/pager.js";
import { completeSlash, runSlashCommand, type SlashContext } from "./commands/slash-commands.js";
import { StatusFooter } from "./render/status-footer.js";
import { statusLine } from "./status-line.js";
import { wrapText } from "./render/wrap.js";
import type { HeldKey } from "./input/keys.js";
import { compact, describeDropped, Typeahead } from "./input/typeahead.js";
import { availableTemplates, type TemplateRequest } from "./commands/templates.js";
import { modeLabel, modeLine, nextMode, switchMode } from "../approval/mode-switch.js";
import { implementRequest, replPlanQuestion } from "./plan-question.js";

/**
 * The interactive mode: the prompt, one request at a time through the conversation, slash
 * commands, approval questions and Ctrl-C/Esc, until the person leaves.
 */

export const PROMPT = "mini-claude> ";
const DOUBLE_CTRL_C_MS = 2000;

export interface ReplMode {
  config: Config;
  conversation: Conversation;
  jobs: JobManager;
  version: string;
  /** Lines for under the banner (the endpoint found, the session resumed). */
  notes: string[];
  hooks?: SessionHooks;
  approvals: Approvals;
}

/**
 * The interactive loop: read a request, run it (or a slash command), repeat.
 * Ctrl-C (or Esc) aborts the turn in flight (and any question it is asking); at an idle prompt it
 * clears the line, and twice exits. On a terminal, what is typed during a turn is held in a
 * visible footer, never in the stream or an answer: sent as the next request when the turn ends,
 * dropped by Ctrl-C, put back in the prompt to edit by Esc. Resolves to the exit code when the
 * person leaves (exit, Ctrl-D, end of piped input), once every background job is gone.
 */
export async function runReplMode({ config, conversation, jobs, version, notes, hooks, approvals }: ReplMode): Promise<number> {
  const typeahead = new Typeahead();
  const footer = process.stdout.isTTY && process.stdin.isTTY ? new StatusFooter(process.stdout) : undefined;
  const showTypeahead = () => footer?.set(typeahead.footer());
  const onHeldKey = (key: HeldKey) => {
    const outcome = typeahead.handle(key);
    // Esc stops the turn but keeps what was queued, back in the prompt to edit; Ctrl-C drops it.
    if (outcome === "interrupt" && key.kind === "interrupt" && key.key === "esc" && turn) {
      typeahead.keepForEditing();
      footer?.set("");
      turn.abort();
    } else if (outcome === "interrupt") interrupt();
    else if (outcome === "suspend") reader.suspend();
    else if (outcome === "changed") showTypeahead();
  };
  const reader = new InputQueue({
    prompt: PROMPT,
    completer: (line: string) => (line.startsWith("/") ? completeSlash(line, () => [...availableTemplates(config).map((t) => t.name), ...conversation.skills.all.map((s) => s.name), ...promptNames(conversation)]) : completeMention(line, config.workspace)),
    history: process.stdin.isTTY ? loadInputHistory(config.configDir) : [],
    onHeldKey,
    onHeldPaste: (text) => {
      typeahead.paste(text);
      showTypeahead();
    },
    onQuestion: (shown) => {
      if (!shown) return footer?.resume();
      footer?.suspend();
      // The queue stays in sight above the question (a fixed copy: the keys now answer the question).
      const queued = typeahead.footer().replace(/▏$/gm, "");
      if (footer && queued) process.stdout.write(`${renderer.colors.dim(queued)}\n`);
    },
    onShiftTab: () => {
      switchMode(approvals, nextMode(approvals.permissionMode));
      reader.setPrompt(promptNow());
      showStatus();
    },
    onPasted: (text) => pasted.push(text),
  });
  /** What was pasted since the last request: a pasted image path goes as the image. */
  const pasted: string[] = [];
  // The mode and "everything allowed" are in the prompt, so a person never forgets either is on.
  const promptNow = () => {
    const labels = [modeLabel(approvals.permissionMode), approvals.remembered.allowAll ? "all allowed" : undefined].filter(Boolean);
    return labels.length ? `mini-claude (${labels.join(", ")})> ` : PROMPT;
  };
  const renderer = new Renderer({ out: process.stdout, activity: process.stdout, color: colorEnabled(process.stdout), streamText: true });
  const approve = replApproval(approvals, reader, renderer);
  /** A plan the person approved: sent as the next request. */
  let approvedPlan: string | undefined;
  const presentPlan = replPlanQuestion({ approvals, reader, renderer, onImplement: (plan) => (approvedPlan = plan) });
  let turn: AbortController | undefined;
  conversation.mcp?.setElicitor(replElicitation(reader, renderer, () => turn?.signal));
  // A command (or a background job) reaching a domain no rule allows: asked during a turn, refused when idle.
  setNetworkAsker(async (question) => {
    const domain = question.port && question.port !== 443 && question.port !== 80 ? `${question.host}:${question.port}` : question.host;
    if (!turn) return { refused: `${refusalFor(domain)}; it was wanted while no request was running, so nobody could be asked` };
    const command = question.commands.length === 1 ? question.commands[0]! : question.commands.length ? `one of: ${question.commands.join("; ")}` : "a command";
    const answer = await approve({ kind: "network", host: question.host, ...(domain === question.host ? {} : { port: question.port }), command }, turn.signal);
    if (answer.approved) return "allow";
    return { refused: answer.approved === false && answer.refused ? answer.refused : `the user refused ${domain}${answer.reason ? `: ${answer.reason}` : ""}` };
  });
  let lastIdleInterrupt = 0;
  /** What an interrupt dropped of the typeahead, to say so once the turn has ended. */
  const dropped = { entries: 0, characters: 0 };

  const interrupt = () => {
    if (turn) {
      const { entries, characters } = typeahead.drop();
      dropped.entries += entries;
      dropped.characters += characters;
      footer?.set("");
      turn.abort();
      return;
    }
    if (reader.hasDraft) {
      // Drop the lines of an unfinished multi-line request and start a fresh prompt.
      reader.clearDraft();
      reader.rl.write(null, { ctrl: true, name: "e" });
      reader.rl.write(null, { ctrl: true, name: "u" });
      process.stdout.write("\n");
      reader.prompt();
      return;
    }
    if (reader.rl.line) {
      // Clear what was typed and start a fresh prompt.
      reader.rl.write(null, { ctrl: true, name: "u" });
      return;
    }
    const now = Date.now();
    if (now - lastIdleInterrupt < DOUBLE_CTRL_C_MS) {
      // On a terminal the loop's end starts the new line, as after Ctrl-D.
      if (!reader.isTerminal) process.stdout.write("\n");
      reader.close();
      return;
    }
    lastIdleInterrupt = now;
    process.stdout.write(`\n${renderer.colors.dim("(press Ctrl-C again to exit, or type exit)")}\n`);
    reader.prompt();
  };
  // Ctrl-C in a terminal reaches readline as a keypress; `kill -INT` (or Ctrl-C with piped input) as a signal.
  reader.rl.on("SIGINT", interrupt);
  onSignals({ interrupt, terminate: () => process.exit(143) });
  const endedJobs = reader.isTerminal ? showEndedJobs(jobs, { announce: (line) => reader.announce(wrapText(line, process.stdout.columns)), dim: renderer.colors.dim, inTurn: () => turn !== undefined }) : undefined;

  // A local server says its window in milliseconds, so the banner can show it; a remote one is
  // asked at the first request instead, and the banner shows the model-name table's answer.
  if (isLocalURL(config.baseURL)) {
    await Promise.race([conversation.context.detect(conversation.model), new Promise((resolve) => setTimeout(resolve, 400).unref())]);
  }
  if (reader.isTerminal) {
    const recap = recapLines(conversation.messages, process.stdout.columns, renderer.colors.dim);
    // The model name, the folder and the notes can come from the endpoint or the file system: shown, not obeyed.
    const mode = approvals.permissionMode === "default" ? [] : [modeLine(approvals.permissionMode)];
    process.stdout.write(`${wrapText(showControls([banner(version, config, conversation), ...notes, ...mode].join("\n"), "\n"), process.stdout.columns)}\n${recap.map((line) => `${line}\n`).join("")}`);
  }
  await askHookTrust(hooks, conversation.agents, reader, renderer);
  await askPermissionTrust(approvals.permissions, reader, renderer);
  conversation.warmUp();
  // The person is reading the banner: the sandbox engine loads and starts its proxies meanwhile.
  warmSandbox();
  const changes = new SessionChanges(config.workspace);
  const page = reader.isTerminal ? (text: string) => showPaged(text, process.stdout, (run) => reader.lendTerminal(run)) : undefined;
  const status = footer ? { on: config.statusLine } : undefined;
  // Drawn below the cursor only while nothing typed is below it (the cursor at the input's end).
  if (footer) footer.canDraw = () => reader.cursorAtEnd();
  const showStatus = () => status?.on && !turn && footer?.set(statusLine(conversation, approvals.permissionMode, jobs));
  const slash: SlashContext = { conversation, config, renderer, jobs, approvals, changes, hooks, page, ask: (question) => reader.ask(question), interruptible: (run) => interruptibly(run), approve, statusLine: status };

  /** After a request or a !command: the news it held back, and what an interrupt of it dropped. */
  const turnEnded = async () => {
    turn = undefined;
    footer?.set("");
    endedJobs?.turnEnded();
    if (dropped.entries || dropped.characters) await renderer.notice(`(dropped what you typed during the turn: ${describeDropped(dropped)})`);
    Object.assign(dropped, { entries: 0, characters: 0 });
  };

  /** A slash command's long wait (/compact's model call) that Ctrl-C or Esc ends, like a turn. */
  async function interruptibly<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    turn = new AbortController();
    // Keys typed meanwhile are held as during a turn, so Esc interrupts too.
    reader.hold(true);
    try {
      return await run(turn.signal);
    } finally {
      reader.hold(false);
      await turnEnded();
    }
  }

  // `mini-claude "fix the bug"` opens the REPL with that request already sent.
  let first = config.prompt;
  /** Output of `!command`s, sent with the next request; the commands as typed, to name that turn. */
  let shellContext: string[] = [];
  let shellTyped: string[] = [];
  /** Ctrl-D leaves the cursor after the prompt: what is said on leaving starts a line of its own. */
  let leftAtPrompt = false;
  for (;;) {
    let line: string | null;
    // Then each entry typed during a turn, in order, as if typed at the prompt.
    const queued = first ?? typeahead.shift();
    first = undefined;
    if (queued !== undefined) {
      line = queued;
      reader.remember(line);
      if (reader.isTerminal) process.stdout.write(`${promptNow()}${line.split("\n").length > 1 ? compact(line) : line}\n`);
    } else if (typeahead.leaving) {
      break;
    } else {
      reader.setPrompt(promptNow());
      reader.prompt();
      showStatus();
      reader.type(typeahead.takeDraft());
      line = await reader.next();
      if (status?.on) footer?.set("");
    }
    if (line === null) {
      leftAtPrompt = queued === undefined;
      break;
    }
    const input = line.trim();
    if (!input) continue;
    if (reader.isTerminal) saveInputLine(config.configDir, input);
    if (["exit", "quit", "q"].includes(input)) break;
    let request: Omit<TemplateRequest, "expanded"> & { expanded?: true } = { prompt: input };
    if (input.startsWith("/")) {
      const outcome = await runSlashCommand(input, slash);
      if (outcome === "exit") break;
      if (typeof outcome !== "object") continue;
      request = outcome;
    }
    if (input.startsWith("!") && input.slice(1).trim()) {
      turn = new AbortController();
      const escape = await runShellEscape(input.slice(1).trim(), config.workspace, turn.signal);
      process.stdout.write(`${escape.screen}\n`);
      await turnEnded();
      await renderer.notice("(the output goes with your next request)");
      shellContext.push(escape.context);
      shellTyped.push(input);
      continue;
    }
    // A template attached its own @files; what it ran or quoted must not be attached again.
    const none = { text: request.prompt, attached: [] as string[], problems: [] as string[], images: [] as ContentPart[] };
    const files = request.expanded ? none : await attachMentions(request.prompt, config.workspace, pasted.splice(0));
    const mentions = request.expanded ? none : await attachResourceMentions(files.text, conversation, approve, interruptibly);
    // The resources' text holds the files' already; each list says its own.
    for (const problem of [...files.problems, ...mentions.problems]) await renderer.error(problem);
    const attached = [...files.attached, ...mentions.attached];
    if (attached.length) await renderer.notice(`(attached ${attached.join(", ")})`);
    const prompt = [...shellContext, mentions.text].join("\n\n");
    const typed = [...shellTyped, input].join("\n");
    shellContext = [];
    shellTyped = [];
    turn = new AbortController();
    reader.hold(true);
    const early = reader.takeEarly();
    typeahead.addEarly(early.lines, early.partial);
    showTypeahead();
    // A template's front-matter model holds for its one request.
    const model = conversation.model;
    if (request.model) conversation.model = request.model;
    await runTurn(conversation, prompt, { signal: turn.signal, approve, changes, presentPlan, images: files.images, typed }, renderer, config);
    if (request.model) conversation.model = model;
    // An approved plan goes next, before anything typed meanwhile: it is what the person just chose.
    if (approvedPlan !== undefined) first = implementRequest(approvedPlan);
    approvedPlan = undefined;
    reader.hold(false);
    await turnEnded();
    if (typeahead.queued) await renderer.notice(`↳ running what you typed during the turn (${typeahead.queued} queued)`);
  }
  reader.close();
  if (leftAtPrompt && reader.isTerminal) process.stdout.write("\n");
  // Say which jobs leaving stops (main.ts's ending stops them), so nothing the person started vanishes silently.
  const running = jobs.list().filter((job) => job.state === "running");
  for (const job of running) process.stdout.write(`${wrapText(`Stopping background job ${job.id}: ${showControls(job.command)}`, process.stdout.columns)}\n`);
  // As Claude Code does: a conversation worth coming back to says how (-c takes this workspace's latest).
  if (reader.isTerminal && conversation.messages.some((message) => message.role === "user")) {
    process.stdout.write(`${renderer.colors.dim("resume with: mini-claude -c")}\n`);
  }
  return EXIT.ok;
}

async function runTurn(
  conversation: Conversation,
  input: string,
  turn: { signal: AbortSignal; approve: ReturnType<typeof replApproval>; changes: SessionChanges; presentPlan: ReturnType<typeof replPlanQuestion>; images?: ContentPart[]; typed: string },
  renderer: Renderer,
  config: Config,
): Promise<void> {
  try {
    const { signal, approve, changes, presentPlan, images, typed } = turn;
    const onEvent = (event: AgentEvent) => {
      changes.record(event);
      renderer.handle(event);
    };
    const stop = await conversation.send(input, { signal, approve, onEvent, presentPlan, images, typed });
    await renderer.flush();
    if (stop === "aborted") await renderer.notice("Interrupted. The conversation is kept; type your next request.");
    if (stop === "cut") await renderer.error(`[answer cut by the model's output token limit; say "continue" for the rest]`);
    if (stop === "max_steps") {
      await renderer.error(`Stopped after ${config.maxIterations} model calls (--max-iterations). Say "continue" to go on.`);
    }
  } catch (error) {
    await renderer.flush();
    if (turn.signal.aborted) {
      await renderer.notice("Interrupted.");
      return;
    }
    const message = await describeError(error, { baseURL: config.baseURL, model: conversation.model });
    if (message) await renderer.error(message);
  }
}

function banner(version: string, config: Config, conversation: Conversation): string {
  const host = config.baseURL ? new URL(config.baseURL).host : "api.openai.com";
  const parts = [`mini-claude ${version}`, conversation.model ?? "(server's first model)", host, config.workspace];
  if (conversation.instructions) parts.push(`${conversation.instructions.file} loaded`);
  const skills = conversation.skills.listed.length + conversation.skills.unlisted;
  if (skills) parts.push(`${skills} skill${skills === 1 ? "" : "s"}${conversation.skills.unlisted ? ` (${conversation.skills.listed.length} listed)` : ""}`);
  parts.push(`window ${formatTokens(conversation.context.window.tokens)} from ${conversation.context.window.source}`);
  return `${parts.join(" · ")}\nType a request, /help for commands, Esc or Ctrl-C to interrupt, Ctrl-D to exit.`;
}

function isLocalURL(baseURL: string | undefined): boolean {
  if (!baseURL) return false;
  const host = new URL(baseURL).hostname;
  return /^(localhost|127\.|\[::1\]|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)|\.local$/.test(host);
}
