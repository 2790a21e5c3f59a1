import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { detectLocalServer } from "../../src/config/endpoint.js";

const servers: Server[] = [];
afterEach(async () => {
  const open = servers.splice(0);
  const closing = open.map((server) => new Promise((done) => server.close(done)));
  // A hung probe's socket is aborted by the client, but close() would still wait on it otherwise.
  open.forEach((server) => server.closeAllConnections());
  await Promise.all(closing);
});

/** A loopback server answering GET /v1/models through `respond`; resolves to its port. */
async function fakeServer(respond: (res: ServerResponse) => void): Promise<number> {
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/v1/models") return respond(res);
    res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return (server.address() as AddressInfo).port;
}

function models(...ids: string[]): (res: ServerResponse) => void {
  return (res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: ids.map((id) => ({ id, object: "model", owned_by: "me" })) }));
  };
}

/** A port nothing listens on: bound once by us, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

describe("detectLocalServer", () => {
  it("finds a server from MINI_CLAUDE_LOCAL_PORTS and picks its first chat model", async () => {
    const dead = await deadPort();
    const port = await fakeServer(models("nomic-embed-text", "qwen3:8b", "llama3"));
    const found = await detectLocalServer({ env: { MINI_CLAUDE_LOCAL_PORTS: `${dead}, ${port}` } });
    expect(found).toEqual({ baseURL: `http://127.0.0.1:${port}/v1`, model: "qwen3:8b", name: "local server" });
  });

  it("prefers the earlier port even when a later one answers first", async () => {
    const slow = await fakeServer((res) => setTimeout(() => models("preferred")(res), 100));
    const fast = await fakeServer(models("other"));
    const found = await detectLocalServer({ ports: [slow, fast] });
    expect(found?.model).toBe("preferred");
    expect(found?.baseURL).toBe(`http://127.0.0.1:${slow}/v1`);
  });

  it("names the server by its usual port", async () => {
    const port = await fakeServer(models("gemma3"));
    const seen: string[] = [];
    const toFake: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(String(input).replace(":11434/", `:${port}/`), init);
    };
    const found = await detectLocalServer({ ports: [11434], fetchImpl: toFake });
    expect(seen).toEqual(["http://127.0.0.1:11434/v1/models"]);
    expect(found).toEqual({ baseURL: "http://127.0.0.1:11434/v1", model: "gemma3", name: "Ollama" });
  });

  it("finds nothing when no port answers with a model list", async () => {
    const dead = await deadPort();
    const empty = await fakeServer(models());
    const html = await fakeServer((res) => res.writeHead(200, { "content-type": "text/html" }).end("<h1>dev server</h1>"));
    const failing = await fakeServer((res) => res.writeHead(500).end('{"error":"boom"}'));
    expect(await detectLocalServer({ ports: [dead, empty, html, failing] })).toBeUndefined();
    expect(await detectLocalServer({ ports: [] })).toBeUndefined();
  });

  it("gives up on a server that never answers after the timeout, and still takes a later one", async () => {
    const hung = await fakeServer(() => {});
    const good = await fakeServer(models("phi4"));
    const started = Date.now();
    expect(await detectLocalServer({ ports: [hung], timeoutMs: 150 })).toBeUndefined();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
    expect((await detectLocalServer({ ports: [hung, good], timeoutMs: 150 }))?.model).toBe("phi4");
  });

  it("never rejects, even when fetch itself throws synchronously", async () => {
    const broken = (() => {
      throw new TypeError("fetch is broken");
    }) as typeof fetch;
    await expect(detectLocalServer({ ports: [1], fetchImpl: broken })).resolves.toBeUndefined();
  });
});
