// A real OAuth-protected MCP server for the tests, from the SDK's server-side pieces: its
// authorization server (mcpAuthRouter: metadata, dynamic registration, authorize, token with
// PKCE), protected-resource metadata and requireBearerAuth in front of a stateful streamable
// HTTP endpoint at /mcp, and the legacy HTTP+SSE transport at /sse. Authorization is granted at
// once (no login page), so a $BROWSER that follows redirects completes the flow.
//
//   node oauth-mcp-server.mjs PORT_FILE EVENTS_FILE [--token-seconds N] [--open]
//
// EVENTS_FILE gets one JSON line per thing a test asserts: register, authorize (with the PKCE
// method and resource), token (grant type), mcp (method, status, session), delete, forgotten.
// --open serves /mcp and /sse without authorization. The tool forget_sessions drops every session
// as it answers, as a restarted server would.
import { randomUUID } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import express from "express";
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { z } from "zod";

const [portFile, eventsFile, ...flags] = process.argv.slice(2);
const tokenSeconds = Number(flags.includes("--token-seconds") ? flags[flags.indexOf("--token-seconds") + 1] : 3600);
const open = flags.includes("--open");
const log = (event) => appendFileSync(eventsFile, `${JSON.stringify(event)}\n`);

const clients = new Map();
const codes = new Map();
const tokens = new Map();
const refreshTokens = new Map();
const issue = (clientId, scopes, resource) => {
  const access = randomUUID();
  const refresh = randomUUID();
  tokens.set(access, { clientId, scopes, resource, expiresAt: Math.floor(Date.now() / 1000) + tokenSeconds });
  refreshTokens.set(refresh, { clientId, scopes, resource });
  return { access_token: access, token_type: "bearer", expires_in: tokenSeconds, refresh_token: refresh, scope: scopes.join(" ") };
};
const provider = {
  clientsStore: {
    getClient: async (id) => clients.get(id),
    registerClient: async (client) => {
      log({ type: "register", redirect_uris: client.redirect_uris });
      clients.set(client.client_id, client);
      return client;
    },
  },
  async authorize(client, params, res) {
    log({ type: "authorize", resource: params.resource?.href, scopes: params.scopes, challenge: Boolean(params.codeChallenge), state: Boolean(params.state) });
    const code = randomUUID();
    codes.set(code, { client, params });
    const target = new URL(params.redirectUri);
    target.searchParams.set("code", code);
    if (params.state !== undefined) target.searchParams.set("state", params.state);
    res.redirect(target.href);
  },
  challengeForAuthorizationCode: async (_client, code) => codes.get(code).params.codeChallenge,
  async exchangeAuthorizationCode(client, code, _verifier, _redirectUri, resource) {
    const entry = codes.get(code);
    codes.delete(code);
    log({ type: "token", grant: "authorization_code", resource: resource?.href });
    return issue(client.client_id, entry.params.scopes ?? [], entry.params.resource);
  },
  async exchangeRefreshToken(client, refreshToken, _scopes, resource) {
    const entry = refreshTokens.get(refreshToken);
    if (!entry) throw new Error("unknown refresh token");
    refreshTokens.delete(refreshToken);
    log({ type: "token", grant: "refresh_token", resource: resource?.href });
    return issue(client.client_id, entry.scopes, entry.resource);
  },
  async verifyAccessToken(token) {
    const entry = tokens.get(token);
    if (!entry) throw new Error("unknown token");
    return { token, clientId: entry.clientId, scopes: entry.scopes, expiresAt: entry.expiresAt, resource: entry.resource };
  },
};

const sessions = new Map();
function mcpServer() {
  const server = new McpServer({ name: "oauth-test-server", version: "1.0.0" });
  server.tool("whoami", "Says who the caller is", {}, async (_args, extra) => ({ content: [{ type: "text", text: `client ${extra.authInfo?.clientId ?? "anonymous"}` }] }));
  server.tool("echo", "Echo the text back", { text: z.string() }, async ({ text }) => ({ content: [{ type: "text", text: `echo: ${text}` }] }));
  // The answer still goes out on the transport that holds this request; the next request's session id is unknown.
  server.tool("forget_sessions", "Forgets every session (as a restart would) while answering", {}, async () => {
    sessions.clear();
    log({ type: "forgotten" });
    return { content: [{ type: "text", text: "forgetting" }] };
  });
  return server;
}

const app = express();
const listening = app.listen(0, "127.0.0.1");
await new Promise((resolve) => listening.once("listening", resolve));
const base = new URL(`http://127.0.0.1:${listening.address().port}`);
const mcpUrl = new URL("/mcp", base);
app.use(mcpAuthRouter({ provider, issuerUrl: base, resourceServerUrl: mcpUrl, scopesSupported: ["mcp:tools"], authorizationOptions: { rateLimit: false }, tokenOptions: { rateLimit: false }, clientRegistrationOptions: { rateLimit: false } }));
const guard = open ? (_req, _res, next) => next() : requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });

app.all("/mcp", express.json(), guard, async (req, res) => {
  const id = req.headers["mcp-session-id"];
  res.on("finish", () => log({ type: "mcp", http: req.method, method: req.body?.method, status: res.statusCode, session: id }));
  if (req.method === "DELETE") log({ type: "delete", session: id, known: sessions.has(id) });
  let transport = id ? sessions.get(id) : undefined;
  if (id && !transport) {
    res.status(404).json({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null });
    return;
  }
  if (!transport) {
    transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (sid) => sessions.set(sid, transport) });
    transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
    await mcpServer().connect(transport);
  }
  await transport.handleRequest(req, res, req.body);
});

const sseSessions = new Map();
app.get("/sse", guard, async (_req, res) => {
  const transport = new SSEServerTransport("/messages", res);
  sseSessions.set(transport.sessionId, transport);
  log({ type: "sse", session: transport.sessionId });
  res.on("close", () => sseSessions.delete(transport.sessionId));
  await mcpServer().connect(transport);
});
app.post("/messages", guard, async (req, res) => {
  const transport = sseSessions.get(req.query.sessionId);
  if (!transport) return void res.status(404).end();
  await transport.handlePostMessage(req, res);
});
// Written last: the routes exist once a test reads the port.
writeFileSync(portFile, String(listening.address().port));
