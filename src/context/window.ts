/**
 * How many tokens the model can take in one request, and where that number came from. In order:
 * the person's setting, what the server says about the loaded model, a small table of well-known
 * model names, and otherwise 32k (never "infinite": a guess too large is what kills sessions).
 * An overflow error from the server later teaches the real number (see parseOverflow).
 */

export const DEFAULT_WINDOW = 32_768;
/** Loopback servers answer in milliseconds; a remote one gets a little longer, off the start-up path. */
export const PROBE_TIMEOUT_MS = 1500;

export interface ContextWindow {
  tokens: number;
  /** Where the number came from, for the banner and /usage: "/props", "--context-window"… */
  source: string;
  /**
   * Ollama only: the num_ctx it will really use. Ollama silently drops the start of a longer
   * prompt instead of failing, so the person is warned when a request would pass it.
   */
  ollamaNumCtx?: number;
}

/** Context windows of well-known model families; the first match wins, ids are lower-cased first. */
const KNOWN_MODELS: Array<[RegExp, number]> = [
  [/gpt-4\.1/, 1_047_576],
  [/gpt-5/, 400_000],
  [/gpt-4o|gpt-4-turbo/, 128_000],
  [/(^|\/)o[134](-mini)?\b/, 200_000],
  [/claude/, 200_000],
  [/gemini-(1\.5|2|3)/, 1_048_576],
  [/deepseek-(chat|reasoner)/, 128_000],
  [/kimi|moonshot/, 131_072],
  [/qwen3-coder/, 262_144],
  [/qwen2\.5-coder|qwen2\.5/, 32_768],
  [/llama-?3\.[123]/, 131_072],
];

/** Ollama's own default num_ctx when neither the model nor the server sets one. */
const OLLAMA_DEFAULT_NUM_CTX = 4096;

/** The window from the model's name alone, or undefined for an unknown name. */
export function knownModelWindow(model: string | undefined): number | undefined {
  if (!model) return undefined;
  const id = model.toLowerCase();
  return KNOWN_MODELS.find(([pattern]) => pattern.test(id))?.[1];
}

/** What is known without asking the server: the setting, the model table, or the 32k default. */
export function staticWindow(configured: ContextWindow | undefined, model: string | undefined): ContextWindow {
  if (configured) return configured;
  const known = knownModelWindow(model);
  if (known) return { tokens: known, source: "the model-name table" };
  return { tokens: DEFAULT_WINDOW, source: "default (32k assumed)" };
}

export interface DetectOptions {
  /** The chat-completions base URL (usually ending in /v1). */
  baseURL?: string;
  apiKey?: string;
  model?: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** Ends the probes early (the session is over before they answered). */
  signal?: AbortSignal;
}

/**
 * Ask the server about the model's window: llama.cpp `GET /props`, Ollama `POST /api/show` and
 * `GET /v1/models` (OpenRouter, vLLM, LM Studio fields), all at once, each bounded by
 * `timeoutMs`. Contract: never rejects; undefined when no server answered with a window.
 */
export async function probeServerWindow(options: DetectOptions): Promise<ContextWindow | undefined> {
  if (!options.baseURL) return undefined;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const base = options.baseURL.replace(/\/+$/, "");
  const root = base.replace(/\/v1$/, "");
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const get = (url: string, init?: RequestInit) => fetchJson(fetchImpl, url, { headers, ...init }, timeoutMs, options.signal);
  const [props, show, models] = await Promise.all([
    get(`${root}/props`),
    options.model ? get(`${root}/api/show`, { method: "POST", body: JSON.stringify({ model: options.model }) }) : undefined,
    get(`${base}/models`),
  ]);
  return fromProps(props) ?? fromOllamaShow(show) ?? fromModelList(models, options.model);
}

/** llama.cpp: `n_ctx` of a slot, under default_generation_settings (older builds: at the top). */
function fromProps(body: any): ContextWindow | undefined {
  const tokens = positive(body?.default_generation_settings?.n_ctx) ?? positive(body?.n_ctx);
  return tokens ? { tokens, source: "/props" } : undefined;
}

/**
 * Ollama: `model_info["<arch>.context_length"]` is what the model was trained for; a `num_ctx`
 * line in `parameters` is what the server will actually use. The smaller one is the window.
 */
function fromOllamaShow(body: any): ContextWindow | undefined {
  if (!body || typeof body !== "object" || !body.model_info) return undefined;
  const trained = Object.entries(body.model_info as Record<string, unknown>).find(([key]) => key.endsWith(".context_length"))?.[1];
  const numCtx = positive(Number(/(?:^|\n)\s*num_ctx\s+(\d+)/.exec(String(body.parameters ?? ""))?.[1]));
  const tokens = numCtx ?? positive(trained);
  if (!tokens) return undefined;
  return { tokens, source: "/api/show", ollamaNumCtx: numCtx ?? OLLAMA_DEFAULT_NUM_CTX };
}

/** OpenRouter `context_length`, vLLM `max_model_len`, LM Studio `loaded_context_length` / `max_context_length`. */
function fromModelList(body: any, model: string | undefined): ContextWindow | undefined {
  const data: any[] = Array.isArray(body?.data) ? body.data : [];
  const entry = data.find((m) => m?.id === model) ?? (data.length === 1 ? data[0] : undefined);
  if (!entry) return undefined;
  const tokens =
    positive(entry.loaded_context_length) ??
    positive(entry.max_model_len) ??
    positive(entry.context_length) ??
    positive(entry.top_provider?.context_length) ??
    positive(entry.max_context_length);
  return tokens ? { tokens, source: "/v1/models" } : undefined;
}

async function fetchJson(fetchImpl: typeof fetch, url: string, init: RequestInit, timeoutMs: number, stop?: AbortSignal): Promise<unknown> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetchImpl(url, { ...init, signal: stop ? AbortSignal.any([timeout, stop]) : timeout });
    if (!response.ok) return undefined;
    return await response.json();
  } catch {
    return undefined;
  }
}

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** What an overflow error says: the real window and the size of the rejected prompt, when it gives them. */
export interface Overflow {
  window?: number;
  promptTokens?: number;
}

/**
 * Recognise "the prompt is larger than the window" in an API error, whatever the provider's
 * shape: OpenAI `context_length_exceeded`, vLLM and DeepSeek "maximum context length is N
 * tokens", llama.cpp `exceed_context_size_error` with `n_ctx` and `n_prompt_tokens`.
 * Contract: undefined for any other error.
 */
export function parseOverflow(error: unknown): Overflow | undefined {
  if (!error || typeof error !== "object") return undefined;
  const e = error as { status?: number; code?: unknown; type?: unknown; message?: unknown; error?: any; detail?: any };
  // An HTTP error carries the body in `error`; an error sent inside the stream (llama.cpp) in `detail`.
  const inner = e.error ?? e.detail;
  const body = inner && typeof inner === "object" ? inner : {};
  const code = String(e.code ?? body.code ?? "");
  const type = String(e.type ?? body.type ?? "");
  const message = `${String(e.message ?? "")} ${String(body.message ?? "")}`;
  const overflow =
    code === "context_length_exceeded" ||
    type === "exceed_context_size_error" ||
    /maximum context length|exceeds? the (?:available )?context (?:size|window|length)|context window|prompt is too long|too many tokens/i.test(message);
  if (!overflow) return undefined;
  const window = positive(body.n_ctx) ?? positive(Number(/maximum context length is (\d+)/i.exec(message)?.[1]));
  const promptTokens =
    positive(body.n_prompt_tokens) ?? positive(Number(/(?:resulted in|requested|you have) (\d+) tokens/i.exec(message)?.[1]));
  return { window, promptTokens };
}

/** "16k", "128k", "1M": how windows and token counts are shown to the person. */
export function formatTokens(tokens: number): string {
  if (tokens >= 1_000_000) return `${+(tokens / 1_048_576).toFixed(1)}M`;
  // Windows are often powers of two: 32768 is "32k", as the person configured it, not "33k".
  if (tokens >= 1024 && tokens % 1000 !== 0 && tokens % 1024 === 0) return `${tokens / 1024}k`;
  if (tokens >= 1000) return `${Math.round(tokens / 1000)}k`;
  return String(tokens);
}
