import type { Config } from "./config.js";
import type { LineReader } from "./line-reader.js";
import { saveInputLine } from "./input-history.js";
import { describeError } from "./llm.js";
import type { Renderer } from "./render.js";
import type { Session } from "./session.js";
import { runSlashCommand, type SlashContext } from "./slash-commands.js";

export const PROMPT = "mini-claude> ";
const DOUBLE_CTRL_C_MS = 2000;

export interface ReplOptions {
  config: Config;
  session: Session;
  reader: LineReader;
  renderer: Renderer;
  banner: string;
  /** Text for /bg. */
  listJobs: () => string;
}

/**
 * The interactive loop: read a line, run it as a request (or a slash command), repeat.
 * Ctrl-C aborts the turn in flight; at an idle prompt it clears the line, and twice exits.
 * Resolves when the person leaves (exit, Ctrl-D, end of piped input).
 */
export async function runRepl(options: ReplOptions): Promise<void> {
  const { session, reader, config } = options;
  const { renderer } = options;
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
  // Ctrl-C in a terminal reaches readline as a keypress; `kill -INT` (or Ctrl-C with piped input)
  // arrives as a signal, whose default would end the process without killing its jobs.
  reader.rl.on("SIGINT", interrupt);
  process.on("SIGINT", interrupt);

  if (reader.isTerminal) process.stdout.write(`${options.banner}\n`);
  session.warmUp();
  const slash: SlashContext = { session, config, renderer, listJobs: options.listJobs };

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
    await runTurn(session, input, turn.signal, renderer, config);
    turn = undefined;
  }
  reader.close();
}

async function runTurn(session: Session, input: string, signal: AbortSignal, renderer: Renderer, config: Config): Promise<void> {
  try {
    const stop = await session.send(input, signal, (event) => renderer.handle(event));
    await renderer.flush();
    if (stop === "aborted") await renderer.notice("Interrupted. The conversation is kept; type your next request.");
    if (stop === "cut") await renderer.error(`[answer cut by the model's output token limit; say "continue" for the rest]`);
    if (stop === "max_steps") {
      await renderer.error(`Stopped after ${config.maxIterations} model calls (--max-iterations). Say "continue" to go on.`);
    }
  } catch (error) {
    await renderer.flush();
    if (signal.aborted) {
      await renderer.notice("Interrupted.");
      return;
    }
    const message = await describeError(error, { baseURL: config.baseURL, model: session.model });
    if (message) await renderer.error(message);
  }
}
