import type { ApprovalRequest, Approval, Tool } from "../../tools/define.js";
import type { ClientFeatures, ElicitationAnswer, ElicitationRequest } from "./client-features.js";
import { commandLine, type McpConfigResult, type ServerConfig } from "./config.js";
import { browserCommand } from "../../processes/open-url.js";
import { instructionsSection } from "./instructions.js";
import { McpServer, type RemoteTool } from "./server.js";
import { resourcesTool } from "./resources.js";
import { TokenStore } from "./token-store.js";
import { ToolCache } from "./tool-cache.js";
import { directTools, gatewayTools } from "./tools.js";
import { serverIdentity, TrustStore } from "./trust.js";

/**
 * All configured MCP servers of one session, and the tools they give the model.
 *
 * Servers start lazily, in parallel, at the first request (prepare()); a project's server first
 * needs the person's approval, asked once and remembered. When every local server's tools are
 * known from its last start (tool-cache.ts), the request does not wait: those tools are offered
 * while the servers start, and a call waits for its server. The tools join in one of two modes:
 * direct (`mcp__server__tool`, schemas passed through) while their schemas fit in the budget, about
 * a tenth of the usable window; otherwise the gateway (mcp_search + mcp_call), whose cost is fixed.
 */

/** Share of the usable window the MCP schemas may take before the gateway replaces them. */
export const DIRECT_BUDGET_SHARE = 0.1;
/**
 * Bytes per token of tool-schema JSON. Measured with o200k on the 40-tool test server: 4.3
 * (bench/mcp-tools.ts); 4 errs a little toward the gateway.
 */
const BYTES_PER_TOKEN = 4;

export interface PrepareOptions {
  signal: AbortSignal;
  /** The mode's approval policy; asked `{ kind: "server" }` for an untrusted project server. */
  approve: (request: ApprovalRequest, signal: AbortSignal) => Promise<Approval>;
  /** Tokens the MCP schemas may cost in direct mode. */
  budgetTokens: number;
  /** One line for the person (a server that failed, one not approved). */
  notify: (line: string) => void;
}

/** The mode's way to put a server's question to the person (the REPL's form, --print's policy). */
export type Elicitor = (server: string, request: ElicitationRequest, signal: AbortSignal) => Promise<ElicitationAnswer>;

export class McpHub {
  readonly servers: McpServer[];
  /** Unset (the Agent SDK's mode): every question is declined. */
  private elicitor?: Elicitor;
  /** A question is on screen: progress lines wait, so they do not draw over it. */
  private asking = 0;
  private readonly trust: TrustStore;
  private budgetTokens = Number.POSITIVE_INFINITY;
  private started = false;
  private cached?: { key: string; tools: Tool[] };
  /** Notes for the model's next request: servers that failed, tool lists that changed. */
  private notes: string[] = [];
  private readonly problems: string[];
  private readonly toolCache?: ToolCache;

  constructor(
    config: McpConfigResult,
    /** `dataDir` keeps OAuth tokens; `print`: a login may start by itself when a browser can open. */
    private readonly options: { workspace: string; configDir: string; dataDir?: string; print?: boolean },
  ) {
    const tokens = options.dataDir ? new TokenStore(options.dataDir) : undefined;
    this.toolCache = options.dataDir ? new ToolCache(options.dataDir) : undefined;
    const features: ClientFeatures = {
      root: options.workspace,
      elicit: (server, request, signal) => this.elicit(server, request, signal),
      asking: () => this.asking > 0,
    };
    this.servers = config.servers.map((server) => new McpServer(server, () => this.toolsChanged(server.name), tokens, features));
    this.trust = new TrustStore(options.configDir);
    this.problems = [...config.problems, ...(config.warnings ?? [])];
    for (const problem of this.problems) this.notes.push(`MCP configuration problem: ${problem}`);
  }

  /**
   * Before a request: at the first one, ask about untrusted project servers and start every server
   * in parallel. Contract: never rejects; resolves to notes for the model (once each).
   */
  async prepare(options: PrepareOptions): Promise<string[]> {
    await this.start(options);
    return this.drainNotes();
  }

  /** Who answers the servers' questions (elicitation) from now on. */
  setElicitor(elicitor: Elicitor): void {
    this.elicitor = elicitor;
  }

  /** The servers that are running, in configuration order. */
  ready(): McpServer[] {
    return this.servers.filter((server) => server.state === "ready");
  }

  /** prepare() without taking the notes (a /prompt or an @server:uri before the first request): they wait for that request. */
  async start(options: PrepareOptions): Promise<void> {
    this.budgetTokens = options.budgetTokens;
    if (!this.started) {
      this.started = true;
      for (const problem of this.problems) options.notify(`MCP configuration: ${problem}`);
      const allowed: McpServer[] = [];
      for (const server of this.servers) {
        if (await this.approved(server.config, options)) allowed.push(server);
        else {
          server.state = "not approved";
          server.lastError = "the person did not approve this project server";
        }
      }
      const autoLogin = Boolean(this.options.print && browserCommand());
      for (const server of allowed) server.interaction = { autoLogin, say: options.notify };
      const known = allowed.map((server) => this.toolCache?.get(server.config, this.options.workspace));
      const waitless = allowed.length > 0 && known.every(Boolean);
      // Every tool is known from the servers' last start: offered now, while they start.
      if (waitless) allowed.forEach((server, i) => server.remember(known[i]!));
      const starting = Promise.all(allowed.map((server, i) => server.start().then(() => this.onStarted(server, waitless ? known[i] : undefined))));
      const settled = starting.then(() => this.settle(autoLogin, options.notify)).catch(() => undefined);
      // Ctrl-C stops the waiting, not the starting: a server that comes up later joins the next request.
      if (!waitless) await untilAborted(settled, options.signal);
    }
  }

  /** A server is up: what it offers is remembered for next time; a list unlike the one offered is news for the model. */
  private onStarted(server: McpServer, offered: { tools: RemoteTool[] } | undefined): void {
    if (server.state !== "ready") return;
    this.toolCache?.set(server.config, this.options.workspace, { tools: server.tools, instructions: server.instructions });
    if (offered && JSON.stringify(offered.tools) !== JSON.stringify(server.tools)) this.toolsChanged(server.name);
  }

  /** After the starts: logins where needed, and a line for each server that did not come up. */
  private async settle(autoLogin: boolean, notify: (line: string) => void): Promise<void> {
    await this.logInWhereNeeded(autoLogin, notify);
    for (const server of this.servers.filter((s) => s.state === "failed")) {
      notify(`MCP server ${server.name} failed to start: ${server.lastError}`);
      this.notes.push(`MCP server "${server.name}" failed to start (${server.lastError}); its tools are unavailable.`);
    }
    for (const server of this.servers.filter((s) => s.state === "not approved")) {
      notify(`MCP server ${server.name} (${commandLine(server.config)}) not started: the project's servers need your approval.`);
    }
  }

  /**
   * Servers that answered 401: --print with a browser logs in (the URL is printed too); otherwise
   * one line says how to log in, and the session goes on without them.
   */
  private async logInWhereNeeded(autoLogin: boolean, notify: (line: string) => void): Promise<void> {
    for (const server of this.servers.filter((s) => s.state === "needs login")) {
      if (autoLogin) await server.logIn(notify).catch((error: Error) => (server.lastError = `login failed: ${error.message}`));
      if (server.state === "ready") continue;
      const how = this.options.print ? `run \`mini-claude mcp login ${server.name}\`` : `type /mcp login ${server.name}`;
      const failed = server.lastError?.startsWith("login failed") ? ` (${server.lastError})` : "";
      notify(`MCP server ${server.name} needs a login${failed}: ${how}; continuing without it.`);
      this.notes.push(`MCP server "${server.name}" is unavailable: it needs the user to log in.`);
    }
  }

  /** /mcp login NAME and `mini-claude mcp login NAME`: the outcome in one line. */
  async logIn(name: string, say: (line: string) => void): Promise<string> {
    const server = this.servers.find((s) => s.name === name);
    if (!server) return `No MCP server "${name}". Servers: ${this.servers.map((s) => s.name).join(", ") || "(none)"}.`;
    const untrusted = this.notApproved(server);
    if (untrusted) return untrusted;
    try {
      await server.logIn(say);
    } catch (error) {
      return `MCP server ${name}: login failed: ${(error as Error).message}`;
    }
    this.toolsChanged(name);
    return server.state === "ready" ? `MCP server ${name}: logged in; ${server.tools.length} tools.` : `MCP server ${name}: logged in, but ${server.describeState()}`;
  }

  /** /mcp logout NAME: its tokens deleted, the server closed. */
  async logOut(name: string): Promise<string> {
    const server = this.servers.find((s) => s.name === name);
    if (!server) return `No MCP server "${name}". Servers: ${this.servers.map((s) => s.name).join(", ") || "(none)"}.`;
    if (server.config.transport === "stdio") return `MCP server ${name} runs as a local command; it has no login.`;
    const had = await server.logOut();
    this.toolsChanged(name);
    return had ? `MCP server ${name}: logged out; its tokens are deleted.` : `MCP server ${name}: no login was saved.`;
  }

  /** Notes for the model not yet given (a server stopped, a tool list changed); each once. */
  drainNotes(): string[] {
    const notes = this.notes;
    this.notes = [];
    return notes;
  }

  /** The MCP tools for the next request: direct while they fit the budget, else the gateway pair. */
  tools(): Tool[] {
    const ready = this.servers.filter((server) => server.offersTools);
    const direct = this.directCost() <= this.budgetTokens;
    const key = `${direct}:${ready.map((s) => `${s.name}${s.hasResources ? "+r" : ""}=${s.tools.map((t) => t.name).join(",")}`).join(";")}`;
    if (this.cached?.key !== key) {
      const tools = direct ? directTools(ready) : gatewayTools(() => this.servers.filter((s) => s.offersTools), this.servers.map((s) => s.name));
      // One schema for every server's resources, offered only while one of them has any.
      const withResources = ready.filter((s) => s.state === "ready" && s.hasResources);
      if (withResources.length) tools.push(resourcesTool(() => this.ready(), withResources.map((s) => s.name)));
      this.cached = { key, tools: ready.length || !direct ? tools : [] };
    }
    return this.cached.tools;
  }

  /** The servers' instructions for the system prompt (capped per server), or undefined; `of`: only these servers'. */
  instructions(of: McpServer[] = this.servers): string | undefined {
    return instructionsSection(of);
  }

  /** "direct" or "gateway", for /mcp. */
  mode(): "direct" | "gateway" {
    return this.directCost() <= this.budgetTokens ? "direct" : "gateway";
  }

  /** Estimated tokens of the direct tools' specs, per server (0 when it is not running). */
  schemaTokens(server: McpServer): number {
    const specs = directTools([server]).map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.inputSchema } }));
    return specs.length ? Math.ceil(Buffer.byteLength(JSON.stringify(specs)) / BYTES_PER_TOKEN) : 0;
  }

  /**
   * What a compaction summary must keep: which MCP tools exist and how to call them. Direct tools
   * are in every request's tools array anyway; the gateway's are named only in search results,
   * which compaction may cut, so they are listed here (capped, the rest found by mcp_search).
   */
  facts(): string[] {
    const ready = this.servers.filter((s) => s.state === "ready");
    if (ready.length === 0) return [];
    if (this.mode() === "direct") return [`MCP servers: ${ready.map((s) => `${s.name} (${s.tools.length} tools, called as mcp__${s.name}__…)`).join(", ")}`];
    let names = ready.map((s) => `${s.name}: ${s.tools.map((t) => t.name).join(", ")}`).join("; ");
    if (names.length > 1500) names = `${names.slice(0, 1500)}… (more with mcp_search)`;
    return [`MCP tools, found with mcp_search and called with mcp_call: ${names}`];
  }

  /** One line per server for /mcp. */
  statusLines(): string[] {
    if (this.servers.length === 0) return ["No MCP servers configured (.mcp.json in the workspace, mcp.json in the config folder, or --mcp-config FILE)."];
    const budget = Number.isFinite(this.budgetTokens) ? ` of a ${this.budgetTokens}-token budget` : "";
    const lines = [`MCP mode: ${this.mode()} (schemas ~${this.directCost()} tokens${budget})`];
    for (const server of this.servers) {
      const transport = server.config.transport === "stdio" ? "stdio" : `${server.config.transport} ${server.config.url}`;
      const error = server.lastError ? ` · last error: ${server.lastError}` : "";
      const taskOnly = server.taskOnlyTools.length ? ` · not offered (they need the MCP tasks API): ${server.taskOnlyTools.join(", ")}` : "";
      lines.push(`  ${server.name} · ${server.state} · ${transport} · ${server.tools.length} tools · ~${this.schemaTokens(server)} tokens${taskOnly}${error}`);
    }
    return lines;
  }

  /** /mcp reconnect NAME: the outcome in one line. */
  async reconnect(name: string): Promise<string> {
    const server = this.servers.find((s) => s.name === name);
    if (!server) return `No MCP server "${name}". Servers: ${this.servers.map((s) => s.name).join(", ") || "(none)"}.`;
    const untrusted = this.notApproved(server);
    if (untrusted) return untrusted;
    await server.restart();
    this.toolsChanged(name);
    return server.state === "ready" ? `MCP server ${name} reconnected: ${server.tools.length} tools.` : `MCP server ${name}: ${server.describeState()}`;
  }

  /** Close every server and kill their processes. Contract: never rejects. */
  async closeAll(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
  }

  private notApproved(server: McpServer): string | undefined {
    const untrusted = server.config.origin === "project" && !this.trust.isTrusted(this.options.workspace, serverIdentity(server.config, this.options.workspace));
    return untrusted ? `MCP server ${server.name} is the project's and not approved yet; you are asked at the next request (--print: --trust-project-mcp).` : undefined;
  }

  private async elicit(server: string, request: ElicitationRequest, signal: AbortSignal): Promise<ElicitationAnswer> {
    if (!this.elicitor) return { action: "decline" };
    this.asking++;
    try {
      return await this.elicitor(server, request, signal);
    } finally {
      this.asking--;
    }
  }

  private directCost(): number {
    return this.servers.reduce((sum, server) => sum + this.schemaTokens(server), 0);
  }

  private toolsChanged(name: string): void {
    const server = this.servers.find((s) => s.name === name);
    if (!server) return;
    if (server.state === "crashed") this.notes.push(`MCP server "${name}" stopped (${server.lastError}); its tools are unavailable.`);
    else if (server.state === "ready") this.notes.push(`MCP server "${name}" now offers: ${server.tools.map((t) => t.name).join(", ") || "(no tools)"}.`);
  }

  private async approved(config: ServerConfig, options: PrepareOptions): Promise<boolean> {
    if (config.origin === "user") return true;
    const line = commandLine(config);
    // Trust covers what the command runs too: a script it names that a command rewrote asks again.
    const identity = serverIdentity(config, this.options.workspace);
    if (this.trust.isTrusted(this.options.workspace, identity)) return true;
    if (options.signal.aborted) return false;
    const answer = await options.approve({ kind: "server", name: config.name, command: line }, options.signal);
    if (answer.approved) this.trust.trust(this.options.workspace, identity);
    return answer.approved;
  }
}

/** `base` then the hub's tools, as one list that keeps its identity until the MCP tools change (so specs are built once). */
export function withMcpTools(base: Tool[], hub: McpHub): () => Tool[] {
  let last: { mcp: Tool[]; all: Tool[] } | undefined;
  return () => {
    const mcp = hub.tools();
    if (last?.mcp !== mcp) last = { mcp, all: [...base, ...mcp] };
    return last.all;
  };
}

function untilAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener("abort", done);
      resolve(undefined);
    };
    signal.addEventListener("abort", done);
    void promise.then(done, done);
  });
}
