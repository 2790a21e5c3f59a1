import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { formatTokens, knownModelWindow, parseOverflow, probeServerWindow, staticWindow } from "../../src/context/window.js";

/** A loopback server answering only the given routes ("GET /props" → body); anything else 404. */
const servers: Server[] = [];
async function serve(routes: Record<string, unknown | ((body: any) => unknown)>, delayMs = 0): Promise<{ base: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let data = "";
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => {
      const key = `${req.method} ${req.url}`;
      seen.push(data ? `${key} ${data}` : key);
      const route = routes[key];
      setTimeout(() => {
        if (route === undefined) return res.writeHead(404).end("{}");
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(typeof route === "function" ? route(JSON.parse(data || "{}")) : route));
      }, delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe("asking the server for the window", () => {
  it("llama.cpp: GET /props at the root (without /v1) gives n_ctx", async () => {
    const { base, seen } = await serve({ "GET /props": { default_generation_settings: { n_ctx: 16384 }, total_slots: 1 } });
    expect(await probeServerWindow({ baseURL: base, model: "qwen" })).toEqual({ tokens: 16384, source: "/props" });
    expect(seen).toContain("GET /props");
  });

  it("Ollama: POST /api/show gives the trained context_length; an explicit num_ctx wins and is remembered", async () => {
    const trainedOnly = await serve({
      "POST /api/show": (body: any) => ({ model_info: { "general.architecture": "qwen2", "qwen2.context_length": 32768 }, parameters: "", asked: body.model }),
    });
    expect(await probeServerWindow({ baseURL: trainedOnly.base, model: "qwen2.5-coder" })).toEqual({ tokens: 32768, source: "/api/show", ollamaNumCtx: 4096 });
    expect(trainedOnly.seen).toContain('POST /api/show {"model":"qwen2.5-coder"}');

    const withNumCtx = await serve({
      "POST /api/show": { model_info: { "llama.context_length": 131072 }, parameters: 'stop "<|eot_id|>"\nnum_ctx 8192' },
    });
    expect(await probeServerWindow({ baseURL: withNumCtx.base, model: "llama3.1" })).toEqual({ tokens: 8192, source: "/api/show", ollamaNumCtx: 8192 });
  });

  it("GET /v1/models: vLLM max_model_len, OpenRouter context_length, LM Studio loaded_context_length, for the model in use", async () => {
    const vllm = await serve({ "GET /v1/models": { data: [{ id: "other", max_model_len: 4096 }, { id: "Qwen/Qwen3-8B", max_model_len: 40960 }] } });
    expect(await probeServerWindow({ baseURL: vllm.base, model: "Qwen/Qwen3-8B" })).toEqual({ tokens: 40960, source: "/v1/models" });
    const openrouter = await serve({ "GET /v1/models": { data: [{ id: "anthropic/claude-sonnet-4", context_length: 200000 }] } });
    expect(await probeServerWindow({ baseURL: openrouter.base, model: "anthropic/claude-sonnet-4" })).toMatchObject({ tokens: 200000 });
    const lmstudio = await serve({ "GET /v1/models": { data: [{ id: "m", max_context_length: 131072, loaded_context_length: 8192 }] } });
    expect(await probeServerWindow({ baseURL: lmstudio.base, model: "m" })).toMatchObject({ tokens: 8192 });
  });

  it("a server that says nothing gives undefined; a slow one is given up on within the timeout", async () => {
    const silent = await serve({ "GET /v1/models": { data: [{ id: "a" }, { id: "b" }] } });
    expect(await probeServerWindow({ baseURL: silent.base, model: "a" })).toBeUndefined();
    const slow = await serve({ "GET /props": { n_ctx: 999_999 } }, 5000);
    const started = Date.now();
    expect(await probeServerWindow({ baseURL: slow.base, model: "a", timeoutMs: 200 })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await probeServerWindow({ baseURL: "http://127.0.0.1:1/v1", model: "a", timeoutMs: 200 })).toBeUndefined();
  });

  it("without the server: the setting, else the model-name table, else 32k", () => {
    expect(staticWindow({ tokens: 9000, source: "--context-window" }, "gpt-4o")).toEqual({ tokens: 9000, source: "--context-window" });
    expect(staticWindow(undefined, "deepseek-chat")).toEqual({ tokens: 128_000, source: "the model-name table" });
    expect(knownModelWindow("gpt-4.1-mini")).toBe(1_047_576);
    expect(staticWindow(undefined, "my-local-finetune")).toEqual({ tokens: 32_768, source: "default (32k assumed)" });
    expect([formatTokens(16_384), formatTokens(32_768), formatTokens(128_000), formatTokens(1_047_576), formatTokens(900)]).toEqual(["16k", "32k", "128k", "1M", "900"]);
  });
});

describe("overflow errors teach the window", () => {
  it("reads each provider's shape and ignores other errors", () => {
    const openai = {
      status: 400,
      code: "context_length_exceeded",
      message: "400 This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
    };
    expect(parseOverflow(openai)).toEqual({ window: 128000, promptTokens: 130512 });
    const llamacpp = { status: 400, type: "exceed_context_size_error", error: { n_ctx: 16384, n_prompt_tokens: 17001, message: "the request exceeds the available context size" } };
    expect(parseOverflow(llamacpp)).toEqual({ window: 16384, promptTokens: 17001 });
    const deepseek = { status: 400, message: "400 This model's maximum context length is 131072 tokens. However, you requested 140000 tokens (139000 in the messages, 1000 in the completion)." };
    expect(parseOverflow(deepseek)).toEqual({ window: 131072, promptTokens: 140000 });
    expect(parseOverflow({ status: 400, message: "400 prompt is too long" })).toEqual({ window: undefined, promptTokens: undefined });
    expect(parseOverflow({ status: 400, message: "400 invalid tool schema" })).toBeUndefined();
    expect(parseOverflow(new Error("socket hang up"))).toBeUndefined();
  });
});
