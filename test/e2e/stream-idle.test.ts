import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

/**
 * Endpoints that keep the stream open but stop sending content. The fake server's script has no
 * such reply, so these are raw SSE servers: each request takes the next behaviour.
 */
type Behaviour = (res: ServerResponse) => void;

const chunk = (delta: object, finish_reason: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason }] })}\n\n`;

/** Some text, then an SSE comment every 50 ms for ever: the connection looks alive. */
const keepAliveForever: Behaviour = (res) => {
  res.write(chunk({ role: "assistant", content: "Partial answer" }));
  const timer = setInterval(() => res.write(": keep-alive\n\n"), 50);
  res.on("close", () => clearInterval(timer));
};

/** Some text, then one line that never ends: 4 KB without a newline every 20 ms. */
const endlessLine: Behaviour = (res) => {
  res.write(chunk({ role: "assistant", content: "Partial answer" }));
  res.write("data: ");
  const piece = "x".repeat(4096);
  const timer = setInterval(() => res.write(piece), 20);
  res.on("close", () => clearInterval(timer));
};

const answer =
  (text: string): Behaviour =>
  (res) =>
    res.end(chunk({ role: "assistant", content: text }) + chunk({}, "stop") + "data: [DONE]\n\n");

async function sseServer(behaviours: Behaviour[]) {
  const bodies: any[] = [];
  const server = createServer((req, res) => {
    // Only chat requests take a behaviour; the window probes (/props, /api/show, /models) find nothing.
    if (!req.url?.endsWith("/chat/completions")) {
      res.writeHead(404).end();
      return;
    }
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      bodies.push(JSON.parse(body));
      res.writeHead(200, { "content-type": "text/event-stream" });
      const next = behaviours.shift();
      if (next) next(res);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, bodies };
}

const fakeOpenAI = useFakeOpenAI();

describe("a stream that stops sending content", () => {
  for (const [name, stall] of [
    ["keep-alive comments for ever", keepAliveForever],
    ["one endless line", endlessLine],
  ] as const) {
    it(`${name}: ends with the idle-timeout error, keeps the partial text, and the next request works`, async () => {
      const ws = tempWorkspace();
      const server = await sseServer([stall, answer("Second request answered.")]);
      const started = Date.now();
      const result = await runCli([], {
        cwd: ws.root,
        home: ws.home,
        baseURL: server.url,
        stdin: "first\nsecond\n",
        env: { MINI_CLAUDE_STREAM_IDLE_MS: "700" },
      });
      expect(Date.now() - started).toBeLessThan(8000);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Partial answer");
      expect(result.stdout).toContain(
        "The endpoint sent nothing for 0.7 s, so the request was stopped (the partial text is kept). Try again; MINI_CLAUDE_STREAM_IDLE_MS sets this limit.",
      );
      expect(result.stdout).toContain("Second request answered.");
      const second = server.bodies[1].messages;
      expect(second.map((m: any) => `${m.role}:${typeof m.content === "string" ? m.content.slice(0, 14) : ""}`).slice(1)).toEqual([
        "user:first",
        "assistant:Partial answer",
        "user:second",
      ]);
      assertValidHistory(second);
    });
  }

  it("keep-alive comments from the first byte, never a chunk: the idle limit counts data, so the turn ends with the idle error", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().keepAliveOnly(50)]);
    const started = Date.now();
    const result = await runCli(["-p", "hi"], cliOptions(ws, fake, { env: { MINI_CLAUDE_STREAM_IDLE_MS: "600" } }));
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "The endpoint sent nothing for 0.6 s, so the request was stopped (the partial text is kept). Try again; MINI_CLAUDE_STREAM_IDLE_MS sets this limit.\n",
    });
    // The limit, plus the start-up of a CLI on a busy machine; the comments arrived every 50 ms all along.
    expect(elapsed).toBeLessThan(600 + 4000);
    expect(fake.requests).toHaveLength(1);
  });

  it("a fast endless line is stopped at the event size cap, long before it costs quadratic CPU", async () => {
    const ws = tempWorkspace();
    const flood: Behaviour = (res) => {
      res.write(chunk({ role: "assistant", content: "Partial answer" }));
      res.write("data: ");
      const piece = "x".repeat(64 * 1024);
      const timer = setInterval(() => res.write(piece), 2);
      res.on("close", () => clearInterval(timer));
    };
    const server = await sseServer([flood]);
    const started = Date.now();
    const result = await runCli(["-p", "hi"], { cwd: ws.root, home: ws.home, baseURL: server.url });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(result).toMatchObject({
      code: 1,
      stdout: "",
      stderr:
        "The endpoint sent one stream event larger than 4 MB without ending it. The request was stopped (the partial text is kept); check the endpoint or proxy.\n",
    });
  });

  it("a bad MINI_CLAUDE_STREAM_IDLE_MS is one clear line", async () => {
    const ws = tempWorkspace();
    const result = await runCli(["-p", "hi"], { cwd: ws.root, home: ws.home, baseURL: "http://127.0.0.1:9/v1", env: { MINI_CLAUDE_STREAM_IDLE_MS: "soon" } });
    expect(result).toMatchObject({ code: 2, stderr: "mini-claude: Invalid MINI_CLAUDE_STREAM_IDLE_MS: must be a number of milliseconds\n" });
  });
});
