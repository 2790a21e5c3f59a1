import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import type { JsonLines } from "../terminal/json-lines.js";

/**
 * The Agent SDK's side of stdin and stdout, as JSON lines: user messages in, control requests both
 * ways (`control_request` answered by a `control_response` with the same `request_id`). What the
 * requests mean is the session's business (sdk-mode.ts); this file only carries them.
 */

export interface UserInput {
  /** The message's text (text blocks joined); other block kinds are named in `skipped`. */
  text: string;
  skipped: string[];
}

export type ControlHandler = (request: Record<string, unknown>) => Promise<object> | object;

export class ControlChannel {
  private readonly pending = new Map<string, { resolve: (response: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private readonly handlers = new Map<string, ControlHandler>();
  private closed = false;
  /** What arrived before start(): delivered in order once the session is ready. */
  private early: (() => void)[] | undefined = [];
  private onUser: (input: UserInput) => void = () => {};
  private onEnd: () => void = () => {};
  private sawInitialize: (request: Record<string, unknown> | undefined) => void = () => {};
  /** The SDK's first initialize request (undefined if stdin ends without one), seen as soon as it arrives. */
  readonly initialize: Promise<Record<string, unknown> | undefined>;

  constructor(
    readonly lines: JsonLines,
    private readonly warn: (line: string) => void,
  ) {
    this.initialize = new Promise((resolve) => (this.sawInitialize = resolve));
  }

  /** Starts reading `input`; what arrives waits for start(). */
  listen(input: NodeJS.ReadableStream = process.stdin): void {
    const reader = createInterface({ input, crlfDelay: Infinity });
    reader.on("line", (line) => this.receive(line));
    reader.on("close", () => {
      this.closed = true;
      this.sawInitialize(undefined);
      for (const { reject } of this.pending.values()) reject(new Error("stdin closed before the SDK answered"));
      this.pending.clear();
      this.deliver(() => this.onEnd());
    });
  }

  /** The session is ready: user messages go to `onUser`, the end of stdin to `onEnd`, requests to the handlers. */
  start(onUser: (input: UserInput) => void, onEnd: () => void): void {
    this.onUser = onUser;
    this.onEnd = onEnd;
    const early = this.early ?? [];
    this.early = undefined;
    for (const event of early) event();
  }

  /** Answers the SDK's control requests of `subtype`; one without a handler gets an error response. */
  handle(subtype: string, handler: ControlHandler): void {
    this.handlers.set(subtype, handler);
  }

  write(message: object): void {
    this.lines.write(message);
  }

  /**
   * Sends a control request to the SDK and resolves to its response payload. Rejects when the SDK
   * answers with an error, when stdin closes first, or when `signal` aborts (the SDK is told to drop it).
   */
  request(request: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new Error("stdin is closed: the SDK cannot answer"));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.pending.delete(id);
        this.lines.write({ type: "control_cancel_request", request_id: id });
        reject(new Error("cancelled"));
      };
      if (signal?.aborted) return reject(new Error("cancelled"));
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, {
        resolve: (response) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(response);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      });
      this.lines.write({ type: "control_request", request_id: id, request });
    });
  }

  private receive(line: string): void {
    if (!line.trim()) return;
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.warn(`ignored a stdin line that is not JSON: ${line.slice(0, 80)}`);
      return;
    }
    switch (message.type) {
      case "user":
        return this.deliver(() => this.onUser(userInput(message.message)));
      case "control_request": {
        const request = (message.request ?? {}) as Record<string, unknown>;
        if (request.subtype === "initialize") this.sawInitialize(request);
        return this.deliver(() => void this.answer(String(message.request_id), request));
      }
      case "control_response":
        return this.settle((message.response ?? {}) as Record<string, unknown>);
      case "control_cancel_request":
      case "keep_alive":
      case "update_environment_variables":
        return;
      default:
        this.warn(`ignored a stdin message of type ${JSON.stringify(message.type)}`);
    }
  }

  private deliver(event: () => void): void {
    if (this.early) this.early.push(event);
    else event();
  }

  private async answer(requestId: string, request: Record<string, unknown>): Promise<void> {
    const subtype = String(request.subtype);
    const handler = this.handlers.get(subtype);
    try {
      if (!handler) throw new Error(`Unsupported control request subtype: ${subtype}`);
      // A handler that answers at once is written at once, so answers keep the requests' order.
      const answer = handler(request);
      const response = answer instanceof Promise ? await answer : answer;
      this.lines.write({ type: "control_response", response: { subtype: "success", request_id: requestId, response } });
    } catch (error) {
      this.lines.write({ type: "control_response", response: { subtype: "error", request_id: requestId, error: (error as Error).message } });
    }
  }

  private settle(response: Record<string, unknown>): void {
    const id = String(response.request_id);
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    if (response.subtype === "success") waiting.resolve((response.response ?? {}) as Record<string, unknown>);
    else waiting.reject(new Error(String(response.error ?? "the SDK refused the request")));
  }
}

/** `{role: "user", content}` with content a string or Anthropic content blocks. */
function userInput(message: unknown): UserInput {
  const content = (message as { content?: unknown } | undefined)?.content;
  if (typeof content === "string") return { text: content, skipped: [] };
  const texts: string[] = [];
  const skipped: string[] = [];
  for (const block of Array.isArray(content) ? content : []) {
    if (block?.type === "text" && typeof block.text === "string") texts.push(block.text);
    else skipped.push(String(block?.type));
  }
  return { text: texts.join("\n\n"), skipped };
}
