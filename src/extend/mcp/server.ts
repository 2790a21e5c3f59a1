import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { terminate } from "../../processes/process-tree.js";
import { adopt, release } from "../../processes/children.js";
import { answerClientRequests, CLIENT_CAPABILITIES, type ClientFeatures } from "./client-features.js";
import { clientCredentialsProvider } from "./client-credentials.js";
import type { ServerConfig } from "./config.js";
import { EnterpriseAuthProvider } from "./enterprise-auth.js";
import { logIn } from "./login.js";
import { LoginNeeded, McpOAuthProvider } from "./oauth.js";
import { callOptions, type ProgressReport } from "./progress.js";
import { listPrompts, type RemotePrompt } from "./prompts.js";
import type { CallResultLike } from "./render.js";
import type { TokenStore } from "./token-store.js";
import { endSession, isForgottenSession, remoteTransport, type Challenge } from "./transport.js";

/**
 * One MCP server: its connection, its state and its tools. The SDK is imported here, lazily, at the
 * first start, so start-up never pays for it.
 *
 * Contract: start() never rejects (a failure is the state "failed" with `lastError`); call() rejects
 * only with an Error whose message is written for the model.
 */

export type ServerState = "not started" | "not approved" | "starting" | "ready" | "needs login" | "failed" | "crashed";

export interface RemoteTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** The server marks it read-only (annotations.readOnlyHint): it may run beside other read-only calls. */
  readOnly: boolean;
}

/** Variables a stdio server inherits; everything else (API keys above all) stays behind. */
const INHERITED = /^(PATH|HOME|USER|LOGNAME|SHELL|TERM|TMPDIR|TZ|LANG|LANGUAGE|LC_[A-Z_]+)$/;

export class McpServer {
  state: ServerState = "not started";
  tools: RemoteTool[] = [];
  /** What the server told its clients at initialize (instructions.ts caps it for the model). */
  instructions?: string;
  prompts: RemotePrompt[] = [];
  /** The server offers resources (mcp_resources reaches them). */
  hasResources = false;
  /** Tools left out because they run only as tasks (`execution.taskSupport: "required"`), which we do not speak. */
  taskOnlyTools: string[] = [];
  lastError?: string;
  private client?: Client;
  private transportInUse?: Transport;
  /** A remote server's OAuth client and its last challenge (401/403), kept across reconnects. */
  private oauth?: McpOAuthProvider;
  /** A `"grant": "client_credentials"` or `"enterprise"` server's client: it signs in by itself, no login. */
  private machineAuth?: OAuthClientProvider;
  private readonly challenge: Challenge = {};
  /** Set by the hub: whether a login may start by itself (--print with a browser), and where it speaks. */
  interaction?: { autoLogin: boolean; say: (line: string) => void };
  private pid?: number;
  private stderrTail = "";
  private starting?: Promise<void>;
  /** `tools` are those of the server's last start (tool-cache.ts), offered while it starts again. */
  private remembered = false;
  /** A tools/list_changed being handled; a call waits for it, so the next request sees the new list. */
  private refreshing?: Promise<void>;

  constructor(
    readonly config: ServerConfig,
    /** Called when the server's tool list changed (notifications/tools/list_changed, reconnect). */
    private readonly onToolsChanged: () => void,
    /** Where remote servers' OAuth tokens live; without it a server that asks for a login cannot have one. */
    private readonly tokens?: TokenStore,
    /** Roots and elicitation, answered for this server; unset: neither is declared. */
    private readonly features?: ClientFeatures,
  ) {}

  get name(): string {
    return this.config.name;
  }

  /** Offer the tools of this server's last start while it starts (before start()); its own list replaces them. */
  remember(known: { tools: RemoteTool[]; instructions?: string }): void {
    if (this.state !== "not started") return;
    this.tools = known.tools;
    this.instructions = known.instructions;
    this.remembered = true;
  }

  /** Whether its tools are offered: it is running, or starting with the tools it had last time. */
  get offersTools(): boolean {
    return this.state === "ready" || (this.state === "starting" && this.remembered);
  }

  /** Start (once; concurrent callers share the attempt) and list the tools. */
  start(): Promise<void> {
    if (this.state === "ready") return Promise.resolve();
    this.starting ??= this.connect().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Close and start again (/mcp reconnect). */
  async restart(): Promise<void> {
    await this.close();
    this.state = "not started";
    await this.start();
  }

  /** The live connection, for resources and prompts; throws (for the model) when the server is not running. */
  session(): Client {
    if (this.state !== "ready" || !this.client) throw new Error(`MCP server "${this.name}" is not running (${this.describeState()}).`);
    return this.client;
  }

  /** `onProgress` hears the server's notifications/progress; each one restarts the call's timeout, up to a cap. */
  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal, onProgress?: (report: ProgressReport) => void): Promise<CallResultLike> {
    // A tool offered from the last start's list waits for the server to be up.
    if (this.starting) await this.starting;
    this.session();
    try {
      return await this.request(tool, args, signal, onProgress);
    } catch (error) {
      // One retry, never a loop: after connecting again to a server that forgot the session, or a login.
      if (signal.aborted || !(await this.recover(error))) throw this.explain(error, tool, signal);
      try {
        return await this.request(tool, args, signal, onProgress);
      } catch (again) {
        throw this.explain(again, tool, signal);
      }
    }
  }

  /** Run the OAuth login (mcp login, /mcp login, or --print's own), then connect with the new tokens. */
  async logIn(say: (line: string) => void): Promise<void> {
    const config = this.config;
    if (config.transport === "stdio") throw new Error(`MCP server ${this.name} runs as a local command; it has no login`);
    if (config.oauth.grant && config.oauth.grant !== "authorization_code") throw new Error(`MCP server ${this.name} signs in by itself ("grant": "${config.oauth.grant}"); it needs no login`);
    await logIn(this.oauthProvider(config), config, this.challenge, { say });
    if (this.state !== "ready") await this.restart();
  }

  /** Delete the server's tokens and registration, and close it. False when there were none. */
  async logOut(): Promise<boolean> {
    if (this.config.transport === "stdio" || !this.tokens) return false;
    const had = this.tokens.remove(this.config.url);
    await this.close();
    this.state = "needs login";
    this.lastError = "logged out";
    return had;
  }

  private async request(tool: string, args: Record<string, unknown>, signal: AbortSignal, onProgress?: (report: ProgressReport) => void): Promise<CallResultLike> {
    const shown = onProgress && ((report: ProgressReport) => void (this.features?.asking() || onProgress(report)));
    const result = (await this.session().callTool({ name: tool, arguments: args }, undefined, callOptions(signal, this.config.toolTimeoutMs, shown))) as CallResultLike;
    await this.refreshing;
    return result;
  }

  private async recover(error: unknown): Promise<boolean> {
    if (isForgottenSession(error)) {
      await this.restart();
      return this.state === "ready";
    }
    const interaction = this.interaction;
    if (!(error instanceof LoginNeeded) || !interaction?.autoLogin) return false;
    return this.logIn(interaction.say).then(
      () => this.state === "ready",
      () => false,
    );
  }

  /** The failed call in words for the model. */
  private explain(error: unknown, tool: string, signal: AbortSignal): Error {
    const timeoutMs = this.config.toolTimeoutMs;
    if (signal.aborted) return new Error(`the user interrupted this call (Ctrl-C); the MCP server "${this.name}" was told to cancel it.`);
    if (error instanceof LoginNeeded) {
      const scope = this.challenge.scope ? ` (it asks for ${this.challenge.scope})` : "";
      return new Error(`MCP server "${this.name}" needs the user to log in again${scope}. Tell the user to run /mcp login ${this.name}.`);
    }
    const message = errorText(error);
    if (/timed out|total timeout/i.test(message)) {
      return new Error(`${tool} on MCP server "${this.name}" did not answer within ${timeoutMs / 1000} s; the request was cancelled. Try something else or ask the user.`);
    }
    if (this.state !== "ready" || /connection closed/i.test(message)) {
      return new Error(`MCP server "${this.name}" stopped during the call (${this.lastError ?? message}). Its tools are unavailable until the user runs /mcp reconnect ${this.name}.`);
    }
    return new Error(`MCP server "${this.name}" answered with an error: ${message}`);
  }

  /** Close the connection and kill a stdio server's whole process tree. Contract: never rejects. */
  async close(): Promise<void> {
    const client = this.client;
    const pid = this.pid;
    const transport = this.transportInUse;
    this.client = undefined;
    this.transportInUse = undefined;
    this.pid = undefined;
    this.tools = [];
    this.prompts = [];
    this.hasResources = false;
    this.remembered = false;
    if (client) client.onclose = undefined;
    // Kill the tree first: once the server is gone its children are orphans no one can find.
    if (pid) {
      await terminate(pid);
      release(pid);
    }
    await endSession(transport);
    await client?.close().catch(() => undefined);
  }

  /** "failed: …" / "ready" for /mcp and for messages. */
  describeState(): string {
    return this.lastError && this.state !== "ready" ? `${this.state}: ${this.lastError}` : this.state;
  }

  private async connect(): Promise<void> {
    this.state = "starting";
    this.lastError = undefined;
    this.stderrTail = "";
    try {
      const sdk = await loadSdk();
      const client = new sdk.Client({ name: "mini-claude", version: "0.1.0" }, { capabilities: this.features ? CLIENT_CAPABILITIES : {} });
      if (this.features) answerClientRequests(client, sdk, this.name, this.features);
      const transport = await this.transport(sdk);
      this.transportInUse = transport;
      client.onclose = () => this.closed();
      const timeoutMs = this.config.startupTimeoutMs;
      const connecting = client.connect(transport, { timeout: timeoutMs });
      this.trackPid(transport);
      this.client = client;
      await withTimeout(connecting, timeoutMs, `did not start within ${timeoutMs / 1000} s`);
      this.trackPid(transport);
      client.setNotificationHandler(sdk.ToolListChangedNotificationSchema, () => {
        this.refreshing = this.refresh().finally(() => (this.refreshing = undefined));
      });
      this.tools = await this.listTools(client, timeoutMs);
      this.instructions = client.getInstructions();
      const offers = client.getServerCapabilities();
      this.hasResources = Boolean(offers?.resources);
      this.prompts = offers?.prompts ? await listPrompts(client, timeoutMs) : [];
      this.remembered = false;
      this.state = "ready";
    } catch (error) {
      const machine = this.config.transport !== "stdio" && (this.config.oauth.grant ?? "authorization_code") !== "authorization_code";
      const needsLogin = !machine && (error instanceof LoginNeeded || (error as Error)?.name === "UnauthorizedError");
      const reason = needsLogin ? "needs a login" : `${errorText(error)}${this.stderrNote()}`;
      await this.close();
      this.state = needsLogin ? "needs login" : "failed";
      this.lastError = reason;
    }
  }

  private async transport(sdk: Sdk): Promise<Transport> {
    const config = this.config;
    if (config.transport !== "stdio") {
      const grant = config.oauth.grant ?? "authorization_code";
      const machine = grant !== "authorization_code";
      if (machine) this.machineAuth ??= grant === "enterprise" ? new EnterpriseAuthProvider(config.url, config.oauth) : await clientCredentialsProvider(config.oauth);
      return remoteTransport(config, machine ? this.machineAuth! : this.oauthProvider(config), this.challenge);
    }
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => INHERITED.test(name) && value !== undefined)) as Record<string, string>;
    // In a process group of its own, tethered to ours: nothing of it outlives a crash or mini-claude.
    const transport = new sdk.TetheredStdioTransport({ command: config.command, args: config.args, env: { ...inherited, ...config.env }, cwd: config.cwd });
    // Keep the end of what the server says on stderr: it is usually why it failed.
    transport.stderr.on("data", (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-600)));
    return transport;
  }

  private oauthProvider(config: Extract<ServerConfig, { transport: "http" | "sse" }>): McpOAuthProvider {
    if (!this.tokens) throw new Error("no data folder for OAuth tokens");
    this.oauth ??= new McpOAuthProvider(config, this.tokens);
    return this.oauth;
  }

  private trackPid(transport: Transport): void {
    const pid = (transport as { pid?: number | null }).pid;
    if (pid && !this.pid) {
      this.pid = pid;
      // Not a job the model manages, but it dies with mini-claude all the same, tree and all.
      adopt(pid, "server", { stop: () => this.close() });
    }
  }

  private async listTools(client: Client, timeoutMs: number): Promise<RemoteTool[]> {
    const found: RemoteTool[] = [];
    const taskOnly: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
      for (const tool of page.tools) {
        // A plain call of such a tool always fails: offering it would only cost the model a turn.
        if (tool.execution?.taskSupport === "required") {
          taskOnly.push(tool.name);
          continue;
        }
        // "$schema" says which draft; some providers reject the key, and the model does not need it.
        const { $schema: _draft, ...schema } = tool.inputSchema as Record<string, unknown>;
        found.push({ name: tool.name, description: tool.description ?? "", inputSchema: { ...schema, type: "object" }, readOnly: tool.annotations?.readOnlyHint === true });
      }
      cursor = page.nextCursor;
    } while (cursor);
    this.taskOnlyTools = taskOnly;
    const { includeTools, excludeTools } = this.config;
    return found.filter((tool) => (!includeTools || includeTools.includes(tool.name)) && !excludeTools?.includes(tool.name));
  }

  private async refresh(): Promise<void> {
    const client = this.client;
    if (!client || this.state !== "ready") return;
    try {
      this.tools = await this.listTools(client, this.config.startupTimeoutMs);
    } catch (error) {
      this.lastError = `refreshing the tool list failed: ${errorText(error)}`;
    }
    this.onToolsChanged();
  }

  /** The connection ended on its own: the process exited or the HTTP session broke. */
  private closed(): void {
    if (this.state !== "ready") return;
    this.state = "crashed";
    this.lastError = `the server closed the connection${this.stderrNote()}`;
    this.tools = [];
    void this.close();
    this.onToolsChanged();
  }

  private stderrNote(): string {
    const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
    return tail ? ` (stderr: ${tail})` : "";
  }
}

type Sdk = Awaited<ReturnType<typeof loadSdk>>;

async function loadSdk() {
  const [{ Client }, { TetheredStdioTransport }, { ToolListChangedNotificationSchema, ListRootsRequestSchema, ElicitRequestSchema }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("./stdio-transport.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]);
  return { Client, TetheredStdioTransport, ToolListChangedNotificationSchema, ListRootsRequestSchema, ElicitRequestSchema };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^MCP error -?\d+: /, "");
}
