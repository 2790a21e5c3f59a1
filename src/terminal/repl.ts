import type { Config } from "../config.js";
import { formatTokens } from "../context-window.js";
import type { Conversation } from "../conversation.js";
import { EXIT } from "../exit-codes.js";
import type { JobManager } from "../processes/jobs.js";
import { rememberNetworkApprovals } from "../approval-rule.js";
import { replApproval } from "./approval.js";
import { colorEnabled } from "./colors.js";
import { describeError } from "./errors.js";
import { loadInputHistory, saveInputLine } from "./input-history.js";
import { InputQueue } from "./input-queue.js";
import { Renderer } from "./render.js";
import { onSignals } from "./signals.js";
import { completeSlash, runSlashCommand, type SlashContext } from "./slash-commands.js";

export const PROMPT = "mini-claude> ";
const DOUBLE_CTRL_C_MS = 2000;

export interface ReplMode {
  config: Config;
  conversation: Conversation;
  jobs: JobManager;
  version: string;
  /** Lines for under the banner (the endpoint found, the session resumed). */
  notes: string[];
}

/**
 * The interactive loop: read a line, run it as a request (or a slash command), repeat.
 * Ctrl-C aborts the turn in flight (and any question it is asking); at an idle prompt it clears
 * the line, and twice exits. Resolves to the exit code when the person leaves (exit, Ctrl-D, end
 * of piped input), once every background job is gone.
 */
export async function runReplMode({ config, conversation, jobs, version, notes }: ReplMode): Promise<number> {
  const reader = new InputQueue({
    prompt: PROMPT,
    completer: completeSlash,
    history: process.stdin.isTTY ? loadInputHistory(config.configDir) : [],
  });
  const renderer = new Renderer({ out: process.stdout, activity: process.stdout, color: colorEnabled(process.stdout), streamText: true });
  const approve = rememberNetworkApprovals(replApproval(config, reader, renderer));
  let turn: AbortController | undefined;
  let lastIdleInterrupt = 0;

  const interrupt = () => {
    if (turn) {
      turn.abort();
      return;
    }
    if (reader.rl.line) {
      // Clear what was typed and start a fresh prompt.
      reader.rl.write(null, { ctrl: true, name: "u" });
      return;
    }
    const now = Date.now();
    if (now - lastIdleInterrupt < DOUBLE_CTRL_C_MS) {
      process.stdout.write("\n");
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

  // A local server says its window in milliseconds, so the banner can show it; a remote one is
  // asked at the first request instead, and the banner shows the model-name table's answer.
  if (isLocalURL(config.baseURL)) {
    await Promise.race([conversation.context.detect(conversation.model), new Promise((resolve) => setTimeout(resolve, 400).unref())]);
  }
  if (reader.isTerminal) process.stdout.write(`${[banner(version, config, conversation), ...notes].join("\n")}\n`);
  conversation.warmUp();
  const slash: SlashContext = { conversation, config, renderer, jobs, ask: (question) => reader.ask(question) };

  for (;;) {
    reader.setPrompt(PROMPT);
    reader.prompt();
    const line = await reader.next();
    if (line === null) break;
    const input = line.trim();
    if (!input) continue;
    if (reader.isTerminal) saveInputLine(config.configDir, input);
    if (["exit", "quit", "q"].includes(input)) break;
    if (input.startsWith("/")) {
      if ((await runSlashCommand(input, slash)) === "exit") break;
      continue;
    }
    turn = new AbortController();
    await runTurn(conversation, input, { signal: turn.signal, approve }, renderer, config);
    turn = undefined;
  }
  reader.close();
  await jobs.killAll();
  return EXIT.ok;
}

async function runTurn(
  conversation: Conversation,
  input: string,
  turn: { signal: AbortSignal; approve: ReturnType<typeof replApproval> },
  renderer: Renderer,
  config: Config,
): Promise<void> {
  try {
    const stop = await conversation.send(input, { ...turn, onEvent: (event) => renderer.handle(event) });
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
  parts.push(`window ${formatTokens(conversation.context.window.tokens)} from ${conversation.context.window.source}`);
  return `${parts.join(" · ")}\nType a request, /help for commands, Ctrl-C to interrupt, Ctrl-D to exit.`;
}

function isLocalURL(baseURL: string | undefined): boolean {
  if (!baseURL) return false;
  const host = new URL(baseURL).hostname;
  return /^(localhost|127\.|\[::1\]|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)|\.local$/.test(host);
}
