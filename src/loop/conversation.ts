import { setMaxListeners } from "node:events";
import type OpenAI from "openai";
import { markTyped } from "../session/records.js";
import type { Notice, StopReason } from "./agent.js";
import { EventSink, type AgentEvent, type Listener } from "./events.js";
import type { CompactionState } from "../context/compaction.js";
import type { Config } from "../config/config.js";
import { ContextGuard, type CompactionOutcome } from "../context/context.js";
import { probeServerWindow } from "../context/window.js";
import { INTERRUPTED_REPLY_NOTE, type Message } from "../model/history.js";
import { addUsage, type Usage } from "../model/usage.js";
import { loadSkills, skillFolders, skillsSection, type SkillSet } from "../extend/skills.js";
import type { Hooks } from "../extend/hooks/hooks.js";
import { loadProjectInstructions, type ProjectInstructions } from "../extend/instructions.js";
import { SubfolderInstructions, withSubfolderInstructions } from "../extend/subfolder-instructions.js";
import { systemPrompt } from "../extend/system-prompt.js";
import type { JobManager } from "../processes/jobs.js";
import type { RewindRecorder } from "../session/rewind/recorder.js";
import { jobEndedNotice, runningJobLines } from "../tools/background.js";
import type { ToolContext, ToolRegistry } from "../tools/index.js";
import { spillDirOf } from "../tools/spill.js";
import { withMcpTools, type McpHub } from "../extend/mcp/hub.js";
import { beginMcp, mcpOptions } from "./turn-mcp.js";
import { withHooks } from "../extend/hooks/tool-hooks.js";
import { beforePrompt, withStopHooks } from "../extend/hooks/turn-hooks.js";
import { createClient } from "../model/client.js";
import { loadAgents, type AgentSet } from "../extend/agents.js";
import type { SubagentRun } from "./subagent.js";
import { ImageSupport } from "../model/image-parts.js";
import type { ContentPart } from "../images.js";
import { textOf } from "../text.js";

/**
 * The live conversation: its history, model and token totals, and one turn at a time around the loop
 * (hooks before and after, MCP tools ready, the context checked, rewind marks). It owns the event sink
 * every listener (the mode's renderer, the transcript) subscribes to.
 */

export interface ConversationOptions {
  config: Config;
  /** Background jobs the exec tool starts; they outlive a turn (their endings reach the model as notices). */
  jobs: JobManager;
  /** The tools the model may call; by default the built-in ones, loaded at the first request. */
  tools?: ToolRegistry;
  /** An earlier session's history (already repaired, without the system message) and what its compactions carried over. */
  resumed?: { history?: Message[]; compaction?: CompactionState };
  /** The person's hooks (hooks/): around tools, prompts, the end of a turn and compaction. */
  hooks?: Hooks;
  /** The configured MCP servers; started at the first request, their tools join the built-in ones. */
  mcp?: McpHub;
  /** Rewind's recorder: told where each turn starts, and given to the tools (src/session/rewind/recorder.ts). */
  recorder?: RewindRecorder;
  /** A layer around the tools, inside the hooks (Claude's permission flags, src/sdk/permissions.ts). */
  wrapTools?: (tools: ToolRegistry) => ToolRegistry;
  /** The person's Read deny rules, for the files grep and list_files walk (approval/setup.ts). */
  readDenied?: ToolContext["readDenied"];
  /** Plan mode is on now (the permission mode, approval/setup.ts): the tools offered and exec follow it at every request. */
  planning?: () => boolean;
}

/** One turn: how to stop it, who answers approval questions, and where its events go. */
export interface TurnOptions {
  signal: AbortSignal;
  /** The approval decision (approval/decide.ts) and, in the REPL, the person's answer. */
  approve: ToolContext["approve"];
  onEvent?: (event: AgentEvent) => void;
  /** What the person typed, where the prompt holds more (a `!cmd`'s output): lists name the turn by it. */
  typed?: string;
  /** Plan mode's end in the REPL: show the plan, read the verdict (unset: the plan is the answer). */
  presentPlan?: ToolContext["presentPlan"];
  /** Images attached to the request (`@shot.png`, a pasted image path): sent before its text. */
  images?: ContentPart[];
}

/**
 * One conversation: the history, the model in use and token totals. The REPL and --print both
 * drive it; neither touches the loop or the client directly.
 */
export class Conversation {
  readonly messages: Message[];
  readonly instructions?: ProjectInstructions;
  /** Installed skills: their names and descriptions are in the system prompt. */
  readonly skills: SkillSet;
  /** The agents the `agent` tool may run (extend/agents.ts). */
  readonly agents: AgentSet;
  /** Subfolders' instructions, which join as the model reads files there. */
  private readonly subfolderInstructions: SubfolderInstructions;
  readonly usage: Usage = { inputTokens: 0, outputTokens: 0 };
  /** Every subagent this conversation ran, with its tokens (already in `usage`): /usage's share, and the ledger's subagents (request-ledger.ts). */
  readonly subagentRuns: SubagentRun[] = [];
  model?: string;
  /** The window, token estimates and compaction of this conversation. */
  readonly context: ContextGuard;
  private client?: OpenAI;
  private readonly probes = new AbortController();
  private tools?: ToolRegistry;
  /** The last turn was interrupted: the model hears so with the next message. */
  private interrupted = false;
  /** The one event sink: every message once (the transcript listens), and each turn's progress. */
  private readonly events = new EventSink();
  /** Where outputs too long for the history are saved whole (tools/spill.ts). */
  private readonly spillDir: string;
  /** Whether the model takes images: a refusal is remembered for the session (model/image-parts.ts). */
  private readonly imageSupport = new ImageSupport();
  /** SessionStart hooks have run (at the first prompt, not at start-up, which stays fast). */
  private started = false;
  /** /clear ended the last session: the next SessionStart says so (source "clear"). */
  private cleared = false;
  /** --system-prompt / --append-system-prompt (overrideSystemPrompt). */
  private promptOverride: { replace?: string; append?: string } = {};

  constructor(private readonly options: ConversationOptions) {
    const { config } = options;
    this.model = config.model;
    this.instructions = loadProjectInstructions(config.workspace, process.env.HOME);
    this.subfolderInstructions = new SubfolderInstructions(config.workspace, process.env.HOME, this.instructions?.realPaths);
    this.skills = loadSkills(config.workspace, skillFolders(config.workspace, config.configDir, process.env.HOME));
    this.agents = loadAgents({ workspace: config.workspace, configDir: config.configDir, home: process.env.HOME, dataDir: config.dataDir, trustProject: config.trustProjectHooks });
    this.messages = [this.systemMessage(), ...(options.resumed?.history ?? [])];
    this.spillDir = spillDirOf(config.dataDir);
    this.context = new ContextGuard({
      configured: config.contextWindow ? { tokens: config.contextWindow, source: config.contextWindowFrom ?? "--context-window" } : undefined,
      probe: (model) => probeServerWindow({ baseURL: config.baseURL, apiKey: config.apiKey, model, signal: this.probes.signal }),
      runningJobs: () => runningJobLines(options.jobs.list()),
      moreFacts: () => options.mcp?.facts() ?? [],
      spillDir: this.spillDir,
      onCompacted: (messages, state) => this.events.emit({ type: "context", messages, state }),
      beforeCompact: options.hooks ? async (trigger, signal) => void (await options.hooks!.run("PreCompact", { trigger }, signal, trigger)) : undefined,
      state: options.resumed?.compaction,
    });
  }

  /** Listen to every event of this conversation (the transcript does, for the whole session); returns the call that stops. */
  subscribe(listener: Listener): () => void {
    return this.events.subscribe(listener);
  }

  /** Rewind's recorder, when this conversation records (the /rewind and /undo commands use it). */
  get recorder(): RewindRecorder | undefined {
    return this.options.recorder;
  }

  /** Run one request to the end. API errors reject; the history is valid either way. */
  async send(prompt: string, turn: TurnOptions): Promise<StopReason> {
    const stopListening = turn.onEvent ? this.events.subscribe(turn.onEvent) : () => {};
    try {
      return await this.runTurn(prompt, turn);
    } finally {
      stopListening();
    }
  }

  private async runTurn(prompt: string, { signal, approve, typed = prompt, presentPlan, images }: TurnOptions): Promise<StopReason> {
    const hooks = this.options.hooks;
    const first = this.started ? undefined : { source: this.cleared ? ("clear" as const) : this.options.resumed?.history?.length ? ("resume" as const) : ("startup" as const) };
    this.started = true;
    // The prompt hooks and the MCP servers start beside the loading below (a failure must not go unhandled).
    const hookContext = hooks ? beforePrompt(hooks, prompt, first, signal) : Promise.resolve("");
    hookContext.catch(() => undefined);
    const mcpStarting = beginMcp(this.options.mcp, { signal, approve, notify: this.notify });
    // The loop, the tools and the client load here, at the first request, not at start-up.
    const [{ runAgent }, tools, client] = await Promise.all([import("./agent.js"), this.getTools(), this.getClient()]);
    if (!this.model) {
      this.events.emit({ type: "request", step: 0 });
      this.model = await firstModel(client, signal, this.options.config.baseURL);
    }
    const model = this.model;
    // The openai client adds one abort listener per request to the turn's signal and never removes
    // it, so a long turn (or one with compactions) passes Node's default of 10 and warns on stderr.
    setMaxListeners(0, signal);
    // Ask the server about the window while the request is being prepared; the request waits for it.
    void this.context.detect(model);
    const [context, mcpNotes] = await Promise.all([hookContext, this.prepareMcp(model, mcpStarting, { signal, approve })]);
    this.refreshSystemMessage();
    const notices = [
      ...(this.interrupted ? [INTERRUPTED_REPLY_NOTE] : []),
      ...this.jobNotices().map((notice) => notice.text),
      ...mcpNotes,
      ...(context ? [context] : []),
    ];
    const content = notices.length ? `${notices.join("\n")}\n\n${prompt}` : prompt;
    this.options.recorder?.beginTurn(prompt, this.messages.length, typed);
    this.append(markTyped({ role: "user", content: images?.length ? [...images, { type: "text", text: content }] : content }, typed === content ? undefined : typed));
    this.interrupted = false;
    const runTurn = () => runAgent({
      client,
      model,
      messages: this.messages,
      tools,
      toolContext: {
        root: this.options.config.workspace,
        jobs: this.options.jobs,
        approve,
        signal,
        spillDir: this.spillDir,
        readOnlyRoots: this.skills.readOnlyRoots,
        recorder: this.options.recorder,
        readDenied: this.options.readDenied,
        planning: this.options.planning,
        presentPlan,
      },
      signal,
      maxSteps: this.options.config.maxIterations,
      repeatLimit: this.options.config.repeatLimit,
      streamIdleMs: this.options.config.streamIdleMs,
      notices: () => [...this.jobNotices(), ...(this.options.mcp?.drainNotes() ?? []).map((text) => ({ text }))],
      context: this.context,
      images: this.imageSupport,
      onEvent: this.relay,
    });
    const stop = await withStopHooks(hooks, signal, (message) => this.append(message), runTurn).catch((error: unknown) => {
      this.interrupted = signal.aborted;
      throw error;
    });
    this.interrupted = stop === "aborted";
    return stop;
  }

  /**
   * /compact: summarise the conversation now, with an optional focus. Resolves to the outcome, or
   * undefined when there is too little to compact.
   */
  async compact(focus: string | undefined, signal: AbortSignal, notify: (text: string) => void): Promise<CompactionOutcome | undefined> {
    const [tools, client] = await Promise.all([this.getTools(), this.getClient()]);
    this.model ??= await firstModel(client, signal, this.options.config.baseURL);
    return this.context.compactNow({ client, model: this.model, messages: this.messages, tools: tools.specs(), signal, notify }, focus || undefined);
  }

  /** The names of the tools the model may call, in the order it sees them. */
  async toolNames(): Promise<string[]> {
    return (await this.toolSpecs()).map((spec) => (spec as { function: { name: string } }).function.name);
  }

  /** The tool schemas the next request carries. */
  async toolSpecs(): Promise<unknown[]> {
    return (await this.getTools()).specs();
  }

  /** The model names the endpoint lists (GET /models); undefined when it does not answer. */
  async listedModels(signal?: AbortSignal): Promise<string[] | undefined> {
    try {
      const page = await (await this.getClient()).models.list({ signal });
      return page.data.map((model) => model.id);
    } catch {
      return undefined;
    }
  }

  /** Load the loop, tools and client in the background while the person types the first request. */
  warmUp(): void {
    void import("./agent.js").catch(() => undefined);
    void this.getTools().catch(() => undefined);
    void this.getClient().catch(() => undefined);
  }

  /** Forget the conversation but keep the system prompt (and the background jobs). */
  clear(): void {
    // The hook's input is taken now, while the session id is still the one that ends.
    if (this.options.hooks) void this.options.hooks.run("SessionEnd", { reason: "clear" }, undefined, "clear");
    this.messages.splice(0, this.messages.length, this.systemMessage());
    this.interrupted = false;
    this.started = false;
    this.cleared = true;
    this.context.reset();
    this.subfolderInstructions.reset();
    this.events.emit({ type: "cleared" });
  }

  /**
   * Rewind: forget the turn whose user message is at `index` (its text ending with `prompt`) and
   * everything after it. The history stays valid: it is cut just before a user message, where
   * every earlier tool call has its answer. The transcript records the shorter context.
   * Returns false (and changes nothing) when that message is no longer there (compacted, cleared).
   */
  rewindTo(index: number, prompt: string): boolean {
    const message = this.messages[index];
    if (index < 1 || message?.role !== "user" || !textOf(message.content).endsWith(prompt)) return false;
    this.messages.splice(index);
    this.interrupted = false;
    this.events.emit({ type: "context", messages: this.messages.slice(1), state: this.context.compactionState });
    return true;
  }

  /** The loop's events (a subagent's usage too) to every listener, its tokens added to this conversation's. */
  private readonly relay = (event: AgentEvent): void => {
    if (event.type === "usage") addUsage(this.usage, event.usage);
    this.events.emit(event);
  };

  /** One line for the person (an MCP server that failed or was not approved). */
  private readonly notify = (text: string): void => this.events.emit({ type: "notice", text });

  private append(message: Message): void {
    this.messages.push(message);
    this.events.emit({ type: "message", message });
  }

  /** Background jobs that ended since the model last heard, in background.ts's words (their output redacted: it may have printed the key). */
  private jobNotices(): Notice[] {
    return this.options.jobs.drainEnded().map(jobEndedNotice);
  }

  private systemMessage(): Message {
    const { replace, append } = this.promptOverride;
    const skills = skillsSection(this.skills);
    const mcpInstructions = this.options.mcp?.instructions();
    const base = replace || systemPrompt({ root: this.options.config.workspace, instructions: this.instructions, skills: skills.length ? skills : undefined, mcpInstructions });
    return { role: "system", content: append ? `${base}\n\n${append}` : base };
  }

  /**
   * Claude Code's --system-prompt (replaces ours) and --append-system-prompt (added after it): kept
   * here, not patched into the message, so every rebuild of the prompt keeps them exactly once.
   */
  overrideSystemPrompt(replace: string | undefined, append: string | undefined): void {
    this.promptOverride = { replace, append };
    this.refreshSystemMessage();
  }

  /** The MCP servers' instructions arrive when they start (and change on /mcp reconnect): the system prompt follows. */
  private refreshSystemMessage(): void {
    const next = this.systemMessage();
    if (this.messages[0]?.role === "system" && this.messages[0].content !== next.content) this.messages[0] = next;
  }

  /**
   * Start the MCP servers now, as the first request would (a /prompt or an @server:uri needs them);
   * what they have to tell the model waits for that request.
   */
  async startMcp({ signal, approve }: Pick<TurnOptions, "signal" | "approve">): Promise<void> {
    const mcp = this.options.mcp;
    if (!mcp || mcp.servers.length === 0) return;
    await mcp.start(await mcpOptions(this.context, this.model, { signal, approve, notify: this.notify }));
    this.refreshSystemMessage();
  }

  /** The session is over: window probes still in flight (a small first request did not wait for them) stop, so the process can exit. */
  close(): void {
    this.probes.abort();
  }

  /** The MCP servers of this session, for /mcp. */
  get mcp(): McpHub | undefined {
    return this.options.mcp;
  }

  private async getTools(): Promise<ToolRegistry> {
    if (this.tools) return this.tools;
    const [{ createRegistry, tools, toolsForMode }, { agentTool }] = await Promise.all([import("../tools/index.js"), import("./subagent.js")]);
    const { hooks, config, mcp, planning = () => false } = this.options;
    const hooked = (registry: ToolRegistry) => (hooks ? withHooks(registry, hooks, config.workspace) : registry);
    // A subagent's tools: those its agent lists that this conversation offers (--tools, --disallowedTools), with the same hooks.
    const subagentTools = (names: string[]) => {
      const offered = new Set(this.tools!.specs().map((spec) => (spec as { function: { name: string } }).function.name));
      return hooked(createRegistry(tools.filter((tool) => names.includes(tool.name) && offered.has(tool.name))));
    };
    const agent = agentTool({
      agents: this.agents,
      client: () => this.getClient(),
      model: () => this.model ?? "",
      window: () => this.context.window,
      tools: subagentTools,
      maxSteps: config.maxIterations,
      repeatLimit: config.repeatLimit,
      streamIdleMs: config.streamIdleMs,
      emit: this.relay,
      finished: (run) => this.subagentRuns.push(run),
    });
    const builtIn = [...tools, agent];
    const base = this.options.tools ?? createRegistry(toolsForMode(mcp ? withMcpTools(builtIn, mcp) : builtIn, planning));
    const withInstructions = withSubfolderInstructions(base, this.subfolderInstructions);
    const registry = this.options.wrapTools ? this.options.wrapTools(withInstructions) : withInstructions;
    this.tools = hooked(registry);
    return this.tools;
  }

  /** Once the servers are up and the window known: the budget set, the servers' notes for the model. */
  private async prepareMcp(model: string, starting: Promise<void>, turn: Pick<TurnOptions, "signal" | "approve">): Promise<string[]> {
    const mcp = this.options.mcp;
    if (!mcp) return [];
    // A hub of configuration problems alone has notes for the model, and no window to wait for.
    if (!mcp.servers.length) return mcp.prepare({ ...turn, notify: this.notify, budgetTokens: 0 });
    const [, options] = await Promise.all([starting, mcpOptions(this.context, model, { ...turn, notify: this.notify })]);
    return mcp.prepare(options);
  }

  private async getClient(): Promise<OpenAI> {
    this.client ??= await createClient(this.options.config, (attempt) => this.events.emit({ type: "retry", attempt }));
    return this.client;
  }
}

/** A local server configured without a model name: use the first model it serves. */
async function firstModel(client: OpenAI, signal: AbortSignal, baseURL?: string): Promise<string> {
  const page = await client.models.list({ signal });
  const first = page.data[0]?.id;
  if (!first) throw new Error(`The server at ${baseURL} lists no models; pass --model NAME.`);
  return first;
}
