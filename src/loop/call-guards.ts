/**
 * The loop's guards around running a tool call, and what the model is told when one stops it.
 * Each answer is an ordinary tool message, so the history stays valid whatever they decide.
 */

/** The answer to every call of a reply that the output token limit cut (finish_reason "length"). */
export const CUT_BY_LENGTH =
  "Error: not run: your reply was cut by the output token limit, so this call may be incomplete. " +
  "Continue in smaller steps: fewer calls per reply and shorter arguments (write a long file in several parts).";

/** Consecutive identical calls allowed before the next one is stopped, unless configured. */
export const DEFAULT_REPEAT_LIMIT = 3;

/**
 * Stops a model that repeats itself: the same tool with the same arguments (compared as JSON,
 * so spacing and key order do not matter) `limit` times in a row is not run the last time.
 * A limit of 0 turns the guard off.
 */
export class RepeatGuard {
  private last = "";
  private count = 0;

  constructor(private readonly limit = DEFAULT_REPEAT_LIMIT) {}

  /**
   * Record `call` (`input`: its arguments as parsed once by the registry, undefined when they are
   * not JSON); returns the observation to give instead of running it, or undefined to run it.
   */
  check(call: { name: string; arguments: string; input?: unknown }): string | undefined {
    const key = `${call.name}\n${canonical(call)}`;
    this.count = key === this.last ? this.count + 1 : 1;
    this.last = key;
    if (this.limit < 1 || this.count < this.limit) return undefined;
    return (
      `Error: ${call.name} was not run: this is the same call with the same arguments ${this.count} times in a row. ` +
      "Use the result you already have, or change the arguments or your approach."
    );
  }
}

/** A tool's observation with the notices that arrived meanwhile appended (a background job ended, an MCP server stopped). */
export function withNotices(observation: string, notices: string[]): string {
  if (notices.length === 0) return observation;
  return `${observation}\n\n${notices.map((notice) => `Notice: ${notice}`).join("\n")}`;
}

function canonical({ arguments: text, input }: { arguments: string; input?: unknown }): string {
  if (input === undefined) return text.trim();
  try {
    return JSON.stringify(sortKeys(input));
  } catch {
    return text.trim();
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
}
