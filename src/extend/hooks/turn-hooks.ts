import type { Message } from "../../model/history.js";
import type { Hooks } from "./hooks.js";

/**
 * The hooks around one turn, kept out of the conversation's own code: SessionStart before the
 * first prompt, UserPromptSubmit before each, Stop when the model is done.
 */

/** A UserPromptSubmit hook refused the prompt; it was not sent. */
export class PromptBlockedError extends Error {}

/** How often Stop hooks may send the model back to work in one turn (a hook that always blocks must not loop forever). */
export const MAX_STOP_CONTINUATIONS = 3;

/**
 * Contract: resolves to the text to add before the prompt ("" for none); throws PromptBlockedError
 * when a hook blocks it.
 */
export async function beforePrompt(hooks: Hooks, prompt: string, first: { source: "startup" | "resume" | "clear" } | undefined, signal: AbortSignal): Promise<string> {
  const context: string[] = [];
  if (first) {
    const start = await hooks.run("SessionStart", { source: first.source }, signal, first.source);
    if (start.context) context.push(start.context);
  }
  const submit = await hooks.run("UserPromptSubmit", { prompt }, signal);
  if (submit.block !== undefined) throw new PromptBlockedError(`A UserPromptSubmit hook blocked this prompt, so it was not sent: ${submit.block}`);
  if (submit.context) context.push(submit.context);
  return context.join("\n");
}

/**
 * Runs the turn, then the Stop hooks while the model is done: a blocking Stop hook's reason goes
 * to the model as a user message and the turn goes on, at most MAX_STOP_CONTINUATIONS times.
 */
export async function withStopHooks<Stop extends string>(
  hooks: Hooks | undefined,
  signal: AbortSignal,
  append: (message: Message) => void,
  runTurn: () => Promise<Stop>,
): Promise<Stop> {
  let stop = await runTurn();
  for (let round = 0; hooks && stop === "done" && round < MAX_STOP_CONTINUATIONS && !signal.aborted; round++) {
    const verdict = await hooks.run("Stop", { stop_hook_active: round > 0 }, signal);
    if (verdict.block === undefined) break;
    append({ role: "user", content: `A Stop hook asks you to continue: ${verdict.block}` });
    stop = await runTurn();
  }
  return stop;
}
