import { existsSync, realpathSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { declaredFlags, UsageError, type ParsedArgs } from "./args.js";
import { parsePassList } from "../processes/command-env.js";
import { homeFolder, ignoredProjectSettings, ownFolder, readEnvFile, sameFolder } from "./files.js";
import { ignoredClaudeFlags, readClaudeFlags, type ClaudeOptions } from "./claude-flags.js";
import { inlineMcpConfigFile } from "./inline-mcp-config.js";

/**
 * The one typed Config for a session: flags (args.ts), then the environment and .env files
 * (files.ts), then defaults, checked once with zod so every later read is plain and typed.
 */

export const DEFAULTS = {
  openaiModel: "gpt-4.1-mini",
  deepseekBaseURL: "https://api.deepseek.com",
  deepseekModel: "deepseek-chat",
  maxIterations: 100,
  requestTimeoutMs: 10 * 60_000,
  maxRetries: 2,
  /** Identical tool calls in a row before the next one is stopped (call-guards.ts); 0: never. */
  repeatLimit: 3,
  /** A stream that sends no chunk for this long is given up (MINI_CLAUDE_STREAM_IDLE_MS). */
  streamIdleMs: 5 * 60_000,
  /** Rewind's storage per workspace (MINI_CLAUDE_REWIND_MB); the oldest runs are pruned past it. */
  rewindMegabytes: 500,
} as const;

const configSchema = z.object({
  baseURL: z.string().url("must be a URL such as http://localhost:11434/v1").optional(),
  apiKey: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  workspace: z.string(),
  maxIterations: z
    .number({ invalid_type_error: "must be a whole number of model calls, 1 or more (e.g. 50)" })
    .int("must be a whole number of model calls, 1 or more (e.g. 50)")
    .min(1, "must be a whole number of model calls, 1 or more (e.g. 50)"),
  repeatLimit: z
    .number({ invalid_type_error: "must be a whole number, 0 (off) or more" })
    .int("must be a whole number, 0 (off) or more")
    .min(0, "must be a whole number, 0 (off) or more"),
  /** Tokens per request the model takes, when the person set it; otherwise found at the first request. */
  contextWindow: z
    .number({ invalid_type_error: "must be a number of tokens such as 16384 or 16k" })
    .int()
    .min(1024, "must be at least 1024 tokens")
    .optional(),
  /** Which setting gave contextWindow, for the banner and /usage. */
  contextWindowFrom: z.string().optional(),
  requestTimeoutMs: z.number().int().positive(),
  maxRetries: z.number().int().min(0),
  streamIdleMs: z
    .number({ invalid_type_error: "must be a number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .positive("must be a positive number of milliseconds"),
  configDir: z.string(),
  dataDir: z.string(),
  print: z.boolean(),
  prompt: z.string().optional(),
  yes: z.boolean(),
  /** Shell commands in the OS sandbox (processes/sandbox.ts): off, auto (where it works), on (required). */
  sandbox: z.enum(["off", "auto", "on"], { errorMap: () => ({ message: "must be off, auto or on" }) }),
  allowNet: z.boolean(),
  /** --allow-domain HOST[:PORT]…: domains sandboxed commands may reach without asking. */
  allowDomains: z.array(z.string().regex(/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i, "must be HOST or HOST:PORT, e.g. registry.npmjs.org or *.github.com")),
  /** The .env files the endpoint's key may have come from: no command may read them. */
  keyFiles: z.array(z.string()),
  keepBackground: z.boolean(),
  /** What --print writes on stdout: the answer, one JSON result, or JSON lines as things happen. */
  outputFormat: z.enum(["text", "json", "stream-json"], { errorMap: () => ({ message: "must be text, json or stream-json" }) }),
  /** stream-json: also the model's text as it streams. */
  includePartial: z.boolean(),
  /** `--input-format stream-json`: user messages and control requests arrive as JSON lines on stdin (the Claude Agent SDK's protocol, src/sdk/). */
  inputFormat: z.enum(["text", "stream-json"], { errorMap: () => ({ message: "must be text or stream-json" }) }),
  /** Whose shapes json|stream-json speak: mini-claude's versioned v1, or Claude Code's. */
  jsonDialect: z.enum(["mini-claude", "claude"], { errorMap: () => ({ message: "must be mini-claude or claude" }) }),
  /** Claude Code's flags that mean something here (src/config/claude-flags.ts). */
  claude: z.custom<ClaudeOptions>(),
  /** Flags accepted for Claude Code's sake that change nothing here, for one stderr line. */
  ignoredFlags: z.array(z.string()),
  /** --print: run the project's hooks although the person never trusted them in the REPL. */
  trustProjectHooks: z.boolean(),
  /** --mcp-config FILE…: more MCP server files, the person's own (trusted). */
  mcpConfigFiles: z.array(z.string()),
  /** --trust-project-mcp: --print may start the workspace's MCP servers. */
  trustProjectMcp: z.boolean(),
  /** --mcp-elicitation (MINI_CLAUDE_MCP_ELICITATION): what --print answers a server's form: decline, or its defaults. */
  mcpElicitation: z.enum(["decline", "defaults"]),
  /** --print --rewind-last: undo the last run's file changes instead of sending a request. */
  rewindLast: z.boolean(),
  /** Rewind's storage cap per workspace, in bytes (MINI_CLAUDE_REWIND_MB). */
  rewindMaxBytes: z.number({ invalid_type_error: "must be a number of megabytes" }).positive("must be a positive number of megabytes"),
  /** Variables that look like credentials but that commands may still get (MINI_CLAUDE_PASS_ENV; command-env.ts). */
  passEnv: z.array(z.string()),
  /** The REPL's one-line status under the prompt starts on (MINI_CLAUDE_STATUS_LINE=1; /statusline toggles it). */
  statusLine: z.boolean(),
  continueLatest: z.boolean(),
  /** undefined: not asked; "": list sessions; otherwise an id or id prefix. */
  resume: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;

export interface ConfigSources {
  /** mini-claude's own folder, whose .env is the person's when started there (default: found from the running code). */
  ownDir?: string;
  /** Where notes about ignored project settings go (default: stderr). */
  warn?: (line: string) => void;
}

/**
 * Build the one typed Config. Precedence: flags, then the environment, then the .env of
 * mini-claude's own folder (when started from it, as `npm start` is), then the user's config
 * file. A project's .env (the workspace's, or the current folder's) never sets the endpoint, key
 * or model; a note says so when it tries.
 * Contract: throws UsageError (never anything else) for bad input.
 */
export async function loadConfig(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  sources: ConfigSources = {},
): Promise<Config> {
  const { values, positionals } = args;
  const ownDir = "ownDir" in sources ? sources.ownDir : ownFolder();
  const warn = sources.warn ?? ((line: string) => process.stderr.write(`mini-claude: ${line}\n`));
  const configDir = env.MINI_CLAUDE_HOME || join(env.XDG_CONFIG_HOME || join(homeFolder(env), ".config"), "mini-claude");
  const dataDir = env.MINI_CLAUDE_HOME || join(env.XDG_DATA_HOME || join(homeFolder(env), ".local", "share"), "mini-claude");
  // mini-claude's own .env counts when it is started from its own folder, as `npm start` is; from
  // anywhere else (a project, a test's temp folder) only the user config does.
  const trusted = [join(configDir, ".env"), ...(ownDir && sameFolder(ownDir, cwd) ? [join(ownDir, ".env")] : [])];
  const vars = { ...(await readEnvFile(trusted[0])), ...(trusted[1] ? await readEnvFile(trusted[1]) : {}), ...definedOnly(env) };
  const workspace = resolveWorkspace(str(values.workspace) ?? ".", cwd);
  const claude = readClaudeFlags(values);
  if (claude.problem) throw new UsageError(`Invalid ${claude.problem}.`);
  for (const note of await ignoredProjectSettings([workspace, cwd], trusted)) warn(note);

  let baseURL = str(values["base-url"]) ?? vars.OPENAI_BASE_URL;
  let apiKey = vars.OPENAI_API_KEY;
  let model = str(values.model) ?? vars.MINI_CLAUDE_MODEL;
  if (!apiKey && !baseURL && vars.DEEPSEEK_API_KEY) {
    apiKey = vars.DEEPSEEK_API_KEY;
    baseURL = DEFAULTS.deepseekBaseURL;
    model ??= DEFAULTS.deepseekModel;
  }
  if (apiKey && !baseURL) model ??= DEFAULTS.openaiModel;

  const parsed = configSchema.safeParse({
    baseURL,
    apiKey,
    model,
    workspace,
    maxIterations: maxIterations(values),
    repeatLimit: repeatLimit(values["repeat-limit"] ?? vars.MINI_CLAUDE_REPEAT_LIMIT),
    ...contextWindowSetting(str(values["context-window"]), vars.MINI_CLAUDE_CONTEXT_WINDOW),
    requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    maxRetries: DEFAULTS.maxRetries,
    streamIdleMs: vars.MINI_CLAUDE_STREAM_IDLE_MS === undefined ? DEFAULTS.streamIdleMs : Number(vars.MINI_CLAUDE_STREAM_IDLE_MS),
    configDir,
    dataDir,
    print: Boolean(values.print),
    prompt: positionals.length ? positionals.join(" ") : undefined,
    yes: Boolean(values.yes),
    sandbox: values.sandbox ?? "auto",
    allowNet: Boolean(values["allow-net"]),
    allowDomains: Array.isArray(values["allow-domain"]) ? values["allow-domain"] : [],
    keyFiles: trusted,
    keepBackground: Boolean(values["keep-background"]),
    outputFormat: str(values["output-format"]) ?? "text",
    includePartial: Boolean(values["include-partial"]),
    inputFormat: str(values["input-format"]) ?? "text",
    jsonDialect: str(values["json-dialect"]) ?? (values["input-format"] === "stream-json" ? "claude" : "mini-claude"),
    claude: claude.options,
    ignoredFlags: ignoredClaudeFlags(values, declaredFlags()),
    trustProjectHooks: Boolean(values["trust-project-hooks"]),
    mcpConfigFiles: mcpConfigFiles(values["mcp-config"], cwd),
    trustProjectMcp: Boolean(values["trust-project-mcp"]),
    mcpElicitation: str(values["mcp-elicitation"]) ?? vars.MINI_CLAUDE_MCP_ELICITATION ?? "decline",
    rewindLast: Boolean(values["rewind-last"]),
    rewindMaxBytes: (vars.MINI_CLAUDE_REWIND_MB === undefined ? DEFAULTS.rewindMegabytes : Number(vars.MINI_CLAUDE_REWIND_MB)) * 1024 * 1024,
    passEnv: parsePassList(vars.MINI_CLAUDE_PASS_ENV),
    statusLine: /^(1|on|true|yes)$/i.test(vars.MINI_CLAUDE_STATUS_LINE ?? ""),
    continueLatest: Boolean(values.continue),
    resume: str(values.resume),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      {
        baseURL: "base URL",
        maxIterations: values["max-iterations"] === undefined && values["max-turns"] !== undefined ? "--max-turns" : "--max-iterations",
        inputFormat: "--input-format",
        jsonDialect: "--json-dialect",
        repeatLimit: "--repeat-limit (MINI_CLAUDE_REPEAT_LIMIT)",
        contextWindow: "context window",
        streamIdleMs: "MINI_CLAUDE_STREAM_IDLE_MS",
        outputFormat: "--output-format",
        sandbox: "--sandbox",
        allowDomains: "--allow-domain",
        rewindMaxBytes: "MINI_CLAUDE_REWIND_MB",
        mcpElicitation: "--mcp-elicitation (MINI_CLAUDE_MCP_ELICITATION)",
      }[String(issue.path[0])] ?? String(issue.path[0]);
    throw new UsageError(`Invalid ${field}: ${issue.message}`);
  }
  const sdk = parsed.data.inputFormat === "stream-json";
  if (sdk && parsed.data.outputFormat !== "stream-json") throw new UsageError("--input-format stream-json needs --output-format stream-json.");
  if (parsed.data.outputFormat !== "text" && !parsed.data.print && !sdk) throw new UsageError("--output-format applies to --print only.");
  if (parsed.data.includePartial && parsed.data.outputFormat !== "stream-json") throw new UsageError("--include-partial needs --output-format stream-json.");
  return parsed.data;
}

/** The message for a person who has configured no endpoint at all. */
export const NO_ENDPOINT_MESSAGE =
  "No model endpoint configured. Set OPENAI_API_KEY (OpenAI), DEEPSEEK_API_KEY (DeepSeek), or OPENAI_BASE_URL " +
  "for a local server (e.g. http://localhost:11434/v1 for Ollama), in the environment or in ~/.config/mini-claude/.env.";

/** `--context-window 16k` beats MINI_CLAUDE_CONTEXT_WINDOW; "16k" means 16,384 tokens. */
function contextWindowSetting(flag: string | undefined, env: string | undefined): { contextWindow?: number; contextWindowFrom?: string } {
  const [raw, from] = flag !== undefined ? [flag, "--context-window"] : env !== undefined ? [env, "MINI_CLAUDE_CONTEXT_WINDOW"] : [];
  if (raw === undefined) return {};
  const match = /^\s*(\d+)\s*(k?)\s*$/i.exec(raw);
  return { contextWindow: match ? Number(match[1]) * (match[2] ? 1024 : 1) : Number.NaN, contextWindowFrom: from };
}

function resolveWorkspace(dir: string, cwd: string): string {
  const absolute = resolve(cwd, dir);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) {
    throw new UsageError(`Workspace ${absolute} is not a directory. Create it or pass --workspace DIR.`);
  }
  return realpathSync(absolute);
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")) as Record<string, string>;
}

function repeatLimit(value: string | boolean | string[] | undefined): number {
  if (value === undefined || value === "") return DEFAULTS.repeatLimit;
  return /^(off|false|no)$/i.test(String(value)) ? 0 : Number(value);
}

/** --max-iterations, or Claude Code's --max-turns (the same fuse: model calls per request). */
function maxIterations(values: ParsedArgs["values"]): number {
  const value = values["max-iterations"] ?? values["max-turns"];
  return value === undefined ? DEFAULTS.maxIterations : Number(value);
}

/**
 * --mcp-config files, resolved from where mini-claude started; a missing one is a usage error.
 * Claude Code also takes the JSON itself (the Agent SDK passes it so): it is saved to a private file.
 */
function mcpConfigFiles(value: string | boolean | string[] | undefined, cwd: string): string[] {
  const given = Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
  const files = given.map((item) => (item.trim().startsWith("{") ? inlineMcpConfigFile(item) : resolve(cwd, item)));
  const missing = files.find((file) => !existsSync(file) || !statSync(file).isFile());
  if (missing) throw new UsageError(`--mcp-config: ${missing} is not a file.`);
  return files;
}

function str(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}
