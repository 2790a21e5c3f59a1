import type { ElicitationAnswer, ElicitationRequest } from "../extend/mcp/client-features.js";
import { fieldQuestion, formFields, readField, showValue } from "../extend/mcp/elicitation.js";
import type { Elicitor } from "../extend/mcp/hub.js";
import { openUrl } from "../processes/open-url.js";
import { showControls } from "../sanitize.js";
import type { InputQueue } from "./input/queue.js";
import type { Renderer } from "./render/render.js";

/**
 * The REPL's answer to a server's question (elicitation): its message, then "answer it?", then one
 * line per field with its default already typed (Enter keeps it). The spec's three outcomes: the
 * person answers (accept), says no (decline), or walks away: Esc at any line, Ctrl-C (which also
 * interrupts the turn), or the server withdrawing the question (cancel). A URL is shown whole
 * and opened only when the person says so. Decides nothing about the values: elicitation.ts
 * checks each one against its field's schema and says what to type instead.
 */
export function replElicitation(reader: InputQueue, renderer: Renderer, turnSignal: () => AbortSignal | undefined): Elicitor {
  return async (server, request, withdrawn) => {
    const turn = turnSignal();
    if (!turn) {
      // Nobody is looking at a question between requests: the prompt is waiting for one.
      await renderer.notice(`MCP server ${server} asked a question while no request was running; it was declined.`);
      return { action: "decline" };
    }
    const escaped = new AbortController();
    const signal = AbortSignal.any([turn, withdrawn, escaped.signal]);
    reader.setEscape(() => escaped.abort());
    try {
      await renderer.flush();
      await renderer.show(`MCP server ${server} asks: ${showControls(request.message, "\n")}`);
      const answer = request.mode === "url" ? await askUrl(reader, renderer, request, signal) : await askForm(reader, renderer, request, signal);
      // The question's line was left unfinished; the turn's own Ctrl-C says "Interrupted" itself.
      if (answer.action === "cancel" && !turn.aborted) await renderer.show(`\n${renderer.colors.dim(`(cancelled; MCP server ${server} was told)`)}`);
      return answer;
    } finally {
      reader.setEscape(undefined);
    }
  };
}

const CHOICE = "[y]es, [n]o, Esc to cancel:";

async function askForm(reader: InputQueue, renderer: Renderer, request: Extract<ElicitationRequest, { requestedSchema: unknown }>, signal: AbortSignal): Promise<ElicitationAnswer> {
  const fields = formFields(request.requestedSchema);
  const start = await yesNo(reader, `Answer it? ${CHOICE} `, signal);
  if (start !== "yes") return { action: start };
  const content: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.description) await renderer.notice(`  ${showControls(field.description)}`);
    for (;;) {
      const prefill = reader.isTerminal && field.default !== undefined ? showValue(field, field.default) : "";
      // On a terminal the default is typed in for the person to keep or edit; piped input sees it in brackets.
      const question = `  ${showControls(reader.isTerminal ? fieldQuestion({ ...field, default: undefined }) : fieldQuestion(field))}: `;
      const pending = reader.ask(question, signal);
      reader.type(prefill);
      const typed = await pending;
      if (typed === null) return { action: "cancel" };
      const read = readField(field, typed);
      if (read.problem) {
        await renderer.error(`${read.problem} (Esc cancels the form)`);
        continue;
      }
      if (read.value !== undefined) content[field.name] = read.value;
      break;
    }
  }
  return { action: "accept", content: content as never };
}

async function askUrl(reader: InputQueue, renderer: Renderer, request: Extract<ElicitationRequest, { url: string }>, signal: AbortSignal): Promise<ElicitationAnswer> {
  let host = "";
  try {
    host = new URL(request.url).host;
  } catch {
    return { action: "decline" };
  }
  // The whole URL, so the person sees exactly where it leads before agreeing; the host said apart.
  await renderer.show(`  ${showControls(request.url)}\n  (a page on ${showControls(host)})`);
  const answer = await yesNo(reader, `Open it in your browser? ${CHOICE} `, signal);
  if (answer !== "yes") return { action: answer };
  const opener = await openUrl(request.url);
  await renderer.notice(opener ? `Opened with ${opener}; if no page appeared, open the URL above yourself.` : "Open the URL above in your browser.");
  return { action: "accept" };
}

/** y (or Enter) / n; null (Esc, Ctrl-C, the server withdrew) is cancel. */
async function yesNo(reader: InputQueue, question: string, signal: AbortSignal): Promise<"yes" | "decline" | "cancel"> {
  for (;;) {
    const answer = await reader.ask(question, signal);
    if (answer === null) return "cancel";
    const text = answer.trim().toLowerCase();
    if (text === "" || text === "y" || text === "yes") return "yes";
    if (text === "n" || text === "no") return "decline";
  }
}
