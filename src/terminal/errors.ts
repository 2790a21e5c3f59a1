import { ContextFullError } from "../context/context.js";
import { PromptBlockedError } from "../extend/hooks/turn-hooks.js";
import { describeApiError } from "../model/client.js";
import { OversizedEventError } from "../model/sse-guard.js";
import { EmptyStreamError, ProviderStreamError, StreamCutError, StreamIdleError } from "../model/stream.js";
import { oneLine } from "../text.js";

/**
 * The person's one line for anything that went wrong, and the only place that follows the
 * "one line, plus the stack under DEBUG=1" convention. Endpoint errors get the sentence model/client.ts
 * writes for them; anything we did not anticipate is called what it is, a bug.
 */

export interface ErrorContext {
  baseURL?: string;
  model?: string;
  /** --print (any output format) or the Agent SDK's mode: advice names what works there, not a slash command. */
  print?: boolean;
}

/**
 * Contract: one line for the person, or undefined when nothing needs saying (the person
 * aborted). Never a stack trace, except on stderr under DEBUG=1 for an unexpected error.
 */
export async function describeError(error: unknown, where: ErrorContext): Promise<string | undefined> {
  if (error instanceof ContextFullError) {
    const next = where.print
      ? "Run again with less (a shorter prompt or piped input, without -c or --resume), or use a model with a larger window."
      : "Start over with /clear, or use a model with a larger window.";
    return `${error.problem} ${next}${error.serverSaid}`;
  }
  if (error instanceof PromptBlockedError) return error.message;
  if (error instanceof StreamIdleError) {
    return `The endpoint sent nothing for ${error.idleMs / 1000} s, so the request was stopped (the partial text is kept). Try again; MINI_CLAUDE_STREAM_IDLE_MS sets this limit.`;
  }
  if (error instanceof StreamCutError && error.cause instanceof OversizedEventError) {
    return `${error.cause.message} The request was stopped (the partial text is kept); check the endpoint or proxy.`;
  }
  if (error instanceof StreamCutError) {
    return "The connection closed before the model finished its reply (the partial text is kept). Try again.";
  }
  const url = where.baseURL ?? "https://api.openai.com/v1";
  if (error instanceof ProviderStreamError) return `The endpoint ${url} reported an error during the reply: ${oneLine(error.message, 301)}`;
  if (error instanceof EmptyStreamError) {
    return `The endpoint ${url} ended the reply without any text, tool call or finish reason. Try again; if it repeats, check the server's log.`;
  }
  const api = await describeApiError(error, where).catch(() => undefined);
  if (api !== undefined || isAbort(error)) return api;
  return unexpectedErrorLine(error);
}

/** Contract: "Unexpected error: <first line> (run with DEBUG=1 for details)"; writes the stack to stderr when DEBUG is set. */
export function unexpectedErrorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (process.env.DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return `Unexpected error: ${message.split("\n")[0]} (run with DEBUG=1 for details)`;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "APIUserAbortError");
}
