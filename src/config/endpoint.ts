import { UsageError } from "./args.js";
import { NO_ENDPOINT_MESSAGE, type Config } from "./config.js";

/**
 * Which endpoint to talk to when none is configured. Zero-config start: find an OpenAI-compatible
 * server already running on loopback, so that `mini-claude` works with no API key and no base URL
 * when Ollama, LM Studio, llama.cpp or vLLM is up on its usual port.
 */

/**
 * No key and no base URL: use a local server if one answers, filling in `config.baseURL` and
 * `config.model`. Returns a note for the banner when one was found.
 *
 * Contract: throws UsageError saying what to set or start when nothing is configured and no
 * local server answers.
 */
export async function resolveEndpoint(config: Config): Promise<string | undefined> {
  if (config.apiKey || config.baseURL) return undefined;
  const found = await detectLocalServer();
  if (!found) {
    const override = process.env.MINI_CLAUDE_LOCAL_PORTS?.trim();
    const tried = override ? `ports ${override} from MINI_CLAUDE_LOCAL_PORTS` : LOCAL_SERVERS.map((s) => `${s.name} :${s.port}`).join(", ");
    throw new UsageError(`${NO_ENDPOINT_MESSAGE} No local server answered either (tried ${tried}).`);
  }
  config.baseURL = found.baseURL;
  config.model ??= found.model;
  return `Using ${found.name} at ${found.baseURL} (no API key configured).`;
}

export interface LocalServer {
  /** Chat-completions base URL, e.g. http://127.0.0.1:11434/v1 */
  baseURL: string;
  /** The first chat model the server lists. */
  model: string;
  /** What is probably running there, e.g. "Ollama"; for an unknown port, "local server". */
  name: string;
}

export interface DetectOptions {
  /** Ports to probe in preference order; default MINI_CLAUDE_LOCAL_PORTS, else LOCAL_SERVERS. */
  ports?: number[];
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  env?: NodeJS.ProcessEnv;
}

/** The usual ports, in the order a found server is preferred. */
export const LOCAL_SERVERS = [
  { name: "Ollama", port: 11434 },
  { name: "LM Studio", port: 1234 },
  { name: "llama.cpp", port: 8080 },
  { name: "vLLM", port: 8000 },
] as const;

export const PROBE_TIMEOUT_MS = 300;

/**
 * Contract: probes `http://127.0.0.1:PORT/v1/models` on every port at once, each bounded by
 * `timeoutMs`, and resolves to the most preferred port that answered with a non-empty model
 * list, without waiting for less preferred ones. Never throws and never rejects; resolves to
 * undefined when nothing usable answers. Probes still running when it resolves are aborted.
 */
export async function detectLocalServer(options: DetectOptions = {}): Promise<LocalServer | undefined> {
  const ports = options.ports ?? portsFromEnv(options.env ?? process.env) ?? LOCAL_SERVERS.map((s) => s.port);
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const controllers = ports.map(() => new AbortController());
  const probes = ports.map((port, i) => probe(port, timeoutMs, fetchImpl, controllers[i]));
  try {
    // All probes run in parallel; awaiting them in order returns the preferred winner as soon as
    // every port ahead of it has failed.
    for (const result of probes) {
      const found = await result;
      if (found) return found;
    }
    return undefined;
  } finally {
    controllers.forEach((controller) => controller.abort());
  }
}

function portsFromEnv(env: NodeJS.ProcessEnv): number[] | undefined {
  const raw = env.MINI_CLAUDE_LOCAL_PORTS?.trim();
  if (!raw) return undefined;
  return raw
    .split(",")
    .map((part) => Number(part.trim()))
    .filter((port) => Number.isInteger(port) && port > 0 && port < 65536);
}

async function probe(
  port: number,
  timeoutMs: number,
  fetchImpl: typeof fetch,
  controller: AbortController,
): Promise<LocalServer | undefined> {
  // An own controller rather than AbortSignal.timeout, so losers can also be aborted early.
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const baseURL = `http://127.0.0.1:${port}/v1`;
  try {
    const response = await fetchImpl(`${baseURL}/models`, { signal: controller.signal });
    if (!response.ok) return undefined;
    const model = chooseModel(await response.json());
    if (!model) return undefined;
    const name = LOCAL_SERVERS.find((s) => s.port === port)?.name ?? "local server";
    return { baseURL, model, name };
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** LM Studio and Ollama list embedding models beside chat models; those cannot answer a prompt. */
function chooseModel(body: unknown): string | undefined {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const ids = data
    .map((entry) => (entry as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === "string" && id.length > 0);
  return ids.find((id) => !/embed/i.test(id)) ?? ids[0];
}
