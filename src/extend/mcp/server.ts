import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { terminate } from "../../processes/process-tree.js";
import { adopt, release } from "../../processes/children.js";
import { answerClientRequests, CLIENT_CAPABILITIES, type ClientFeatures } from "./client-features.js";
import type { ServerConfig } from "./config.js";
import { callOptions, type ProgressReport } from "./progress.js";
import { listPrompts, type RemotePrompt } from "./prompts.js";
import type { CallResultLike } from "./render.js";

/**
 * One MCP server: its connection, its state and its tools. The SDK is imported here, lazily, at the
 * first start, so start-up never pays for it.
 *
 * Contract: start() never rejects (a failure is the state "failed" with `lastError`); call() rejects
 * only with an Error whose message is written for the model.
 */

export type ServerState = "not started" | "not approved" | "starting" | "ready" | "failed" | "crashed";

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
  lastError?: string;
  private client?: Client;
  private pid?: number;
  private stderrTail = "";
  private starting?: Promise<void>;
  /** A tools/list_changed being handled; a call waits for it, so the next request sees the new list. */
  private refreshing?: Promise<void>;

  constructor(
    readonly config: ServerConfig,
    /** Called when the server's tool list changed (notifications/tools/list_changed, reconnect). */
    private readonly onToolsChanged: () => void,
    /** Roots and elicitation, answered for this server; unset: neither is declared. */
    private readonly features?: ClientFeatures,
  ) {}

  get name(): string {
    return this.config.name;
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
    const client = this.session();
    const timeoutMs = this.config.toolTimeoutMs;
    try {
      const shown = onProgress && ((report: ProgressReport) => void (this.features?.asking() || onProgress(report)));
      const result = (await client.callTool({ name: tool, arguments: args }, undefined, callOptions(signal, timeoutMs, shown))) as CallResultLike;
      await this.refreshing;
      return result;
    } catch (error) {
      if (signal.aborted) throw new Error(`the user interrupted this call (Ctrl-C); the MCP server "${this.name}" was told to cancel it.`);
      const message = errorText(error);
      if (/timed out|total timeout/i.test(message)) {
        throw new Error(`${tool} on MCP server "${this.name}" did not answer within ${timeoutMs / 1000} s; the request was cancelled. Try something else or ask the user.`);
      }
      if (this.state !== "ready" || /connection closed/i.test(message)) {
        throw new Error(`MCP server "${this.name}" stopped during the call (${this.lastError ?? message}). Its tools are unavailable until the user runs /mcp reconnect ${this.name}.`);
      }
      throw new Error(`MCP server "${this.name}" answered with an error: ${message}`);
    }
  }

  /** Close the connection and kill a stdio server's whole process tree. Contract: never rejects. */
  async close(): Promise<void> {
    const client = this.client;
    const pid = this.pid;
    this.client = undefined;
    this.pid = undefined;
    this.tools = [];
    this.prompts = [];
    this.hasResources = false;
    if (client) client.onclose = undefined;
    // Kill the tree first: once the server is gone its children are orphans no one can find.
    if (pid) {
      await terminate(pid);
      release(pid);
    }
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
      const transport = this.transport(sdk);
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
      this.state = "ready";
    } catch (error) {
      const reason = `${errorText(error)}${this.stderrNote()}`;
      await this.close();
      this.state = "failed";
      this.lastError = reason;
    }
  }

  private transport(sdk: Sdk): Transport {
    const config = this.config;
    if (config.transport === "http") {
      return new sdk.StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
    }
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name, value]) => INHERITED.test(name) && value !== undefined)) as Record<string, string>;
    const transport = new sdk.StdioClientTransport({
      command: config.command,
      args: config.args,
      env: { ...inherited, ...config.env },
      cwd: config.cwd,
      stderr: "pipe",
    });
    // Keep the end of what the server says on stderr: it is usually why it failed.
    transport.stderr?.on("data", (chunk: Buffer) => (this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-600)));
    return transport;
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
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
      for (const tool of page.tools) {
        // "$schema" says which draft; some providers reject the key, and the model does not need it.
        const { $schema: _draft, ...schema } = tool.inputSchema as Record<string, unknown>;
        found.push({ name: tool.name, description: tool.description ?? "", inputSchema: { ...schema, type: "object" }, readOnly: tool.annotations?.readOnlyHint === true });
      }
      cursor = page.nextCursor;
    } while (cursor);
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
  const [{ Client }, { StdioClientTransport }, { StreamableHTTPClientTransport }, { ToolListChangedNotificationSchema, ListRootsRequestSchema, ElicitRequestSchema }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/stdio.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]);
  return { Client, StdioClientTransport, StreamableHTTPClientTransport, ToolListChangedNotificationSchema, ListRootsRequestSchema, ElicitRequestSchema };
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
