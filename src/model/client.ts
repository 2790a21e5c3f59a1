import type OpenAI from "openai";
import type { Config } from "../config/config.js";
import { BodyBuffer } from "./request-body.js";
import { filteredFetch } from "./sse-guard.js";
import { oneLine } from "../text.js";

/**
 * The one owner of HTTP: the openai client, and the one door by which a chat request's body goes
 * through it. The openai package costs ~120 ms to import, so it is loaded here, at the first
 * request, never at start-up.
 */
export async function createClient(
  config: Pick<Config, "baseURL" | "apiKey" | "requestTimeoutMs" | "maxRetries">,
  /** Told of each retry the client makes on its own (429, 5xx, a dropped connection), 1 for the first. */
  onRetry?: (attempt: number) => void,
): Promise<OpenAI> {
  const { default: OpenAIClient } = await import("openai");
  type RequestOptions = Parameters<OpenAI["buildRequest"]>[0];

  /**
   * The openai client, but a chat request's body is ours (request-body.ts says why): the client
   * builds the URL, headers and timeout of each attempt, retries included, and the body goes
   * out as a stream made from the params at every attempt. `buildRequest` is the step of the
   * client that turns options into a fetch request, once per attempt (its AzureOpenAI rewrites
   * chat requests there too). Any other request is the client's own.
   */
  class Client extends OpenAIClient {
    private readonly bodies = new BodyBuffer();
    /**
     * Fetches not yet settled. When none is, every earlier body was read by a server that
     * answered it, or dropped with the connection of a fetch that failed: its buffer is free.
     */
    private sending = 0;

    override async buildRequest(options: RequestOptions, props: { retryCount?: number } = {}) {
      if (props.retryCount) onRetry?.(props.retryCount);
      const params = chatParams(options);
      if (!params) return super.buildRequest(options, props);
      const built = await super.buildRequest({ ...options, body: undefined }, props);
      const body = this.bodies.encode(params, this.sending === 0);
      built.req.body = body.stream;
      built.req.headers.set("content-type", "application/json");
      built.req.headers.set("content-length", String(body.length));
      return built;
    }

    override async fetchWithTimeout(...args: Parameters<OpenAI["fetchWithTimeout"]>) {
      this.sending++;
      try {
        return await super.fetchWithTimeout(...args);
      } finally {
        this.sending--;
      }
    }
  }

  return new Client({
    baseURL: config.baseURL,
    // Local servers (Ollama, llama.cpp, vLLM) need no key, but the client insists on one.
    apiKey: config.apiKey ?? "not-needed",
    timeout: config.requestTimeoutMs,
    maxRetries: config.maxRetries,
    fetch: filteredFetch(),
  });
}

/** The params of a chat completion request, or undefined for any other request. */
function chatParams(options: { method: string; path: string; body?: unknown }): { messages: readonly object[] } | undefined {
  const body = options.body as { messages?: unknown } | undefined;
  if (options.method !== "post" || !options.path.endsWith("/chat/completions") || !Array.isArray(body?.messages)) return undefined;
  return body as { messages: readonly object[] };
}

/**
 * One line for the person that says what went wrong and what to do; undefined for a user abort,
 * which needs no message. Never includes a stack trace.
 */
export async function describeApiError(error: unknown, where: { baseURL?: string; model?: string }): Promise<string | undefined> {
  const errors = await import("openai/error");
  const url = where.baseURL ?? "https://api.openai.com/v1";
  if (error instanceof errors.APIUserAbortError) return undefined;
  if (error instanceof errors.AuthenticationError) {
    return `The endpoint ${url} rejected the API key (401). Check OPENAI_API_KEY (or DEEPSEEK_API_KEY).`;
  }
  if (error instanceof errors.PermissionDeniedError) return `The endpoint ${url} refused access (403): ${oneLine(error.message, 301)}`;
  if (error instanceof errors.NotFoundError && !where.model) {
    return `The endpoint ${url} did not list its models (404), so no model could be chosen. Pass --model NAME or set MINI_CLAUDE_MODEL.`;
  }
  if (error instanceof errors.NotFoundError) {
    return `Model "${where.model}" or the endpoint was not found at ${url} (404). Check --model / MINI_CLAUDE_MODEL and OPENAI_BASE_URL.`;
  }
  if (error instanceof errors.RateLimitError) {
    return `Rate limited by ${url} (429) after retries: ${oneLine(error.message, 301)} Wait a moment and try again.`;
  }
  if (error instanceof errors.APIConnectionTimeoutError) return `The request to ${url} timed out. Is the server overloaded? Try again.`;
  if (error instanceof errors.APIConnectionError) {
    return `Cannot reach ${url}. Is the server running and OPENAI_BASE_URL right?`;
  }
  if (error instanceof errors.APIError && error.status) {
    return `The endpoint ${url} answered ${error.status}: ${oneLine(error.message, 301)}`;
  }
  return undefined;
}
