import { randomUUID } from "node:crypto";
import type { Config } from "../config/config.js";
import type { Conversation } from "../loop/conversation.js";
import { EXIT } from "../exit-codes.js";
import { MAX_STOP_CONTINUATIONS } from "../extend/hooks/turn-hooks.js";
import type { SessionHooks } from "../extend/hooks/setup.js";
import type { JobManager } from "../processes/jobs.js";
import { showControls } from "../sanitize.js";
import { describeError } from "../terminal/errors.js";
import { JsonLines } from "../terminal/json-lines.js";
import { onSignals } from "../terminal/input/signals.js";
import type { Approvals } from "../approval/setup.js";
import type { Approval } from "../tools/index.js";
import { PERMISSION_MODES, type PermissionMode } from "../config/claude-flags.js";
import { claudeInit, ClaudeTurn, mcpStatus } from "./claude-messages.js";
import { ControlChannel, type UserInput } from "./control-channel.js";
import { inlineMcpConfigFile } from "../config/inline-mcp-config.js";
import { HostHooks } from "./host-hooks.js";
import type { ClaudeApprovalRequest, ClaudePermissions, HostApproval } from "./permissions.js";
import { replaceSystemPrompt } from "./system-prompt-flags.js";

/**
 * `--input-format stream-json --output-format stream-json`: the protocol the Claude Agent SDK
 * speaks with its CLI, on any OpenAI-compatible model. Each user message on stdin runs one turn,
 * in order, and ends with one `result`; the SDK's control requests (initialize, interrupt,
 * set_permission_mode, set_model) are answered as they come, also mid-turn. Every tool call goes
 * to the one approval decision (approval/decide.ts, with Claude's flags as its rules and mode);
 * where it says "ask", the SDK's canUseTool is asked as a can_use_tool request (the REPL's question,
 * `--permission-prompt-tool stdio`), and without canUseTool the call is refused. The process ends when stdin does.
 */

export interface SdkMode {
  /** Opened by openSdkChannel before the session was built. */
  channel: ControlChannel;
  /** MCP servers the initialize request carried, started at launch (--await-initialize). */
  initializeServers: string[];
  config: Config;
  conversation: Conversation;
  jobs: JobManager;
  permissions: ClaudePermissions;
  approvals: Approvals;
  sessionId: () => string | undefined;
  version: string;
  /** The settings files' hooks: a project's run only when trusted (--trust-project-hooks), as in --print. */
  hooks?: SessionHooks;
}

export async function runSdkMode(mode: SdkMode): Promise<number> {
  const { config, conversation, permissions, approvals } = mode;
  const { channel } = mode;
  const lines = channel.lines;
  const fallbackId = randomUUID();
  const sessionId = () => mode.sessionId() ?? fallbackId;
  const queue: UserInput[] = [];
  let ended = false;
  let wake = () => {};
  let turn: AbortController | undefined;
  let hostHooks: HostHooks | undefined;
  channel.handle("initialize", (request) => {
    const { response, hooks } = initialize(request, mode, channel, sessionId);
    if (hooks) hostHooks = permissions.hooks = hooks;
    return response;
  });
  channel.handle("interrupt", () => {
    turn?.abort();
    return {};
  });
  channel.handle("set_permission_mode", (request) => {
    const wanted = String(request.mode);
    if (!(PERMISSION_MODES as readonly string[]).includes(wanted)) throw new Error(`unknown permission mode ${wanted}`);
    approvals.permissionMode = wanted as PermissionMode;
    return { mode: wanted };
  });
  channel.handle("set_model", (request) => {
    conversation.model = typeof request.model === "string" && request.model ? request.model : config.model;
    return {};
  });
  channel.handle("mcp_status", () => ({ mcpServers: mcpStatus(conversation) }));
  channel.handle("set_max_thinking_tokens", () => {
    warn("set_max_thinking_tokens has no meaning for an OpenAI-compatible endpoint; ignored.");
    return {};
  });
  // end_session and SIGTERM stop now: the turn is interrupted and queued messages are dropped.
  const stop = () => {
    ended = true;
    queue.length = 0;
    turn?.abort();
    wake();
  };
  channel.handle("end_session", () => {
    stop();
    return {};
  });
  onSignals({ interrupt: () => turn?.abort(), terminate: stop });
  channel.start(
    (input) => {
      queue.push(input);
      wake();
    },
    () => {
      ended = true;
      wake();
    },
  );
  replaceSystemPrompt(conversation, config.claude.systemPrompt, config.claude.appendSystemPrompt);
  const untrusted = mode.hooks?.hooks.untrusted() ?? [];
  if (untrusted.length) warn(`this project's hooks (${[...new Set(untrusted.map((hook) => hook.source))].join(", ")}) do not run: pass --trust-project-hooks (extraArgs) to run them.`);
  const canAsk = config.claude.permissionPromptTool === "stdio";
  if (config.claude.permissionPromptTool && !canAsk) warn(`--permission-prompt-tool ${config.claude.permissionPromptTool}: only "stdio" (the SDK's canUseTool) is supported; what would ask is refused.`);
  // A project's MCP server starts as in --print (--trust-project-mcp); everything else may be asked.
  const noAsker = "nothing can ask here: the Agent SDK program registered no canUseTool (allow it with allowedTools or permissionMode)";
  const approve = async (request: ClaudeApprovalRequest, signal: AbortSignal): Promise<HostApproval> => {
    const decision = approvals.decide(request, canAsk && request.kind !== "server" ? "repl" : "print", noAsker);
    if (decision.kind === "refuse") return { approved: false, refused: decision.why };
    if (decision.kind === "run") return { approved: true };
    return askHost(channel, request, decision.why, signal, () => turn?.abort());
  };

  while (!ended || queue.length) {
    const input = queue.shift();
    if (!input) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    if (input.skipped.length) warn(`only text reaches the model; skipped ${input.skipped.join(", ")} blocks`);
    if (!input.text.trim()) {
      const empty = new ClaudeTurn({ sessionId, model: () => conversation.model ?? "", root: config.workspace, partial: false, write: () => {} });
      lines.write(empty.result("error", { error: "The message had no text for the model." }));
      continue;
    }
    turn = new AbortController();
    await runTurn(input.text, turn.signal, { ...mode, hostHooks }, sessionId, lines, approve);
    turn = undefined;
  }
  await lines.drain();
  return EXIT.ok;
}

async function runTurn(
  prompt: string,
  signal: AbortSignal,
  { config, conversation, permissions, approvals, version, hostHooks }: SdkMode & { hostHooks?: HostHooks },
  sessionId: () => string,
  lines: JsonLines,
  approve: (request: ClaudeApprovalRequest, signal: AbortSignal) => Promise<Approval>,
): Promise<void> {
  permissions.denials = [];
  const turn = new ClaudeTurn({ sessionId, model: () => conversation.model ?? "", root: config.workspace, partial: config.claude.includePartialMessages, write: (message) => lines.write(message) });
  try {
    const tools = await conversation.toolNames();
    const mcpServers = mcpStatus(conversation);
    lines.write(claudeInit({ sessionId: sessionId(), model: conversation.model ?? "", cwd: config.workspace, tools, mcpServers, permissionMode: approvals.permissionMode, version }));
    const submitted = hostHooks ? await hostHooks.promptSubmit(prompt, signal) : {};
    if (submitted.blocked) {
      turn.end();
      lines.write(turn.result("error", { error: `Blocked by a UserPromptSubmit hook: ${submitted.blocked}`, denials: permissions.denials }));
      return;
    }
    const send = (text: string) =>
      conversation.send(text, {
        signal,
        approve,
        onEvent: (event) => {
          if (event.type === "tool_start") permissions.noteToolStart(event.id);
          turn.handle(event);
        },
      });
    let stop = await send(submitted.context ? `${submitted.context}\n\n${prompt}` : prompt);
    // A Stop hook that blocks sends the model on with its reason, a few times at most (as settings-file Stop hooks do).
    for (let round = 0; hostHooks && stop === "done" && round < MAX_STOP_CONTINUATIONS && !signal.aborted; round++) {
      const reason = await hostHooks.stop(round > 0, signal);
      if (reason === undefined) break;
      stop = await send(`A Stop hook asks you to continue: ${reason}`);
    }
    turn.end();
    const error = stop === "max_steps" ? `Stopped after ${config.maxIterations} model calls (--max-turns).` : undefined;
    lines.write(turn.result(stop, { error, denials: permissions.denials }));
  } catch (error) {
    turn.end();
    const message = signal.aborted ? undefined : ((await describeError(error, { baseURL: config.baseURL, model: conversation.model, print: true })) ?? "The request failed.");
    if (message) process.stderr.write(`mini-claude: ${showControls(message)}\n`);
    lines.write(turn.result(signal.aborted ? "aborted" : "error", { error: message, denials: permissions.denials }));
  }
}

/** One approval question as a can_use_tool request; a deny with `interrupt` also stops the turn. */
async function askHost(channel: ControlChannel, request: ClaudeApprovalRequest, why: string, signal: AbortSignal, interrupt: () => void): Promise<HostApproval> {
  const call = request.claudeCall ? await request.claudeCall() : { id: "", name: request.kind === "tool" ? request.tool : request.kind, input: {} };
  let answer: Record<string, unknown>;
  try {
    answer = await channel.request(
      { subtype: "can_use_tool", tool_name: call.name, input: call.input, tool_use_id: call.id, permission_suggestions: [], decision_reason: why },
      signal,
    );
  } catch (error) {
    if (signal.aborted) return { approved: false, interrupted: true };
    return { approved: false, reason: `the program's canUseTool failed (${(error as Error).message})` };
  }
  if (answer.behavior === "allow") {
    const updated = answer.updatedInput;
    return typeof updated === "object" && updated !== null && !Array.isArray(updated) ? { approved: true, updatedInput: updated as Record<string, unknown> } : { approved: true };
  }
  if (answer.interrupt === true) interrupt();
  return { approved: false, reason: typeof answer.message === "string" && answer.message ? answer.message : "the program refused it" };
}

/**
 * Opens the SDK's channel before the session is built: with --await-initialize the SDK sends its
 * MCP servers in the initialize request (its default), so they are read first and started with the
 * configured ones. Resolves to the channel and the file those servers were saved to, if any.
 */
export async function openSdkChannel(config: Config): Promise<{ channel: ControlChannel; mcpFiles: string[]; servers: string[] }> {
  const channel = new ControlChannel(new JsonLines(), warn);
  channel.listen();
  if (!config.claude.awaitInitialize) return { channel, mcpFiles: [], servers: [] };
  const request = await channel.initialize;
  const servers = request?.mcpServers;
  if (!servers || typeof servers !== "object" || !Object.keys(servers).length) return { channel, mcpFiles: [], servers: [] };
  return { channel, mcpFiles: [inlineMcpConfigFile(JSON.stringify({ mcpServers: servers }))], servers: Object.keys(servers) };
}

function warn(line: string): void {
  process.stderr.write(`mini-claude: ${showControls(line)}\n`);
}

/** The SDK's initialize: its system prompt, its hook callbacks; the answer lists what this session offers. */
function initialize(
  request: Record<string, unknown>,
  { conversation, approvals, config, version, initializeServers }: SdkMode,
  channel: ControlChannel,
  sessionId: () => string,
): { response: object; hooks?: HostHooks } {
  const parts = Array.isArray(request.systemPrompt) ? request.systemPrompt.filter((part) => typeof part === "string") : [];
  const custom = parts.join("\n\n").trim();
  const append = typeof request.appendSystemPrompt === "string" ? request.appendSystemPrompt : undefined;
  if (custom || append) replaceSystemPrompt(conversation, custom || config.claude.systemPrompt, append ?? config.claude.appendSystemPrompt);
  const registered = (request.hooks ?? undefined) as Record<string, { matcher?: string; hookCallbackIds: string[] }[]> | undefined;
  let hooks: HostHooks | undefined;
  if (registered && Object.keys(registered).length) {
    hooks = new HostHooks(registered, (payload, signal) => channel.request(payload, signal), () => ({
      session_id: sessionId(),
      transcript_path: "",
      cwd: config.workspace,
      permission_mode: approvals.permissionMode,
    }));
    const ignored = hooks.ignoredEvents();
    if (ignored.length) warn(`hook callbacks for ${ignored.join(", ")} never run here (PreToolUse, PostToolUse and UserPromptSubmit do).`);
  }
  const servers = request.mcpServers && typeof request.mcpServers === "object" ? Object.keys(request.mcpServers) : [];
  // Only the first initialize of a process launched with --await-initialize starts its servers (as in Claude Code).
  const applied = servers.length > 0 && servers.every((name) => initializeServers.includes(name));
  if (servers.length && !applied) warn(`MCP servers sent in initialize (${servers.join(", ")}) are started only at launch (--await-initialize).`);
  const model = conversation.model ?? config.model ?? "";
  const response = {
    commands: [],
    agents: [],
    output_style: "default",
    available_output_styles: ["default"],
    models: model ? [{ value: model, displayName: model, description: "the model configured for mini-claude" }] : [],
    account: {},
    ...(registered ? { hooks_applied: true } : {}),
    ...(servers.length ? { mcp_servers_applied: applied } : {}),
    claude_code_version: version,
  };
  return { response, hooks };
}
