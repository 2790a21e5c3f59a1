import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { UsageError, type ParsedArgs } from "./args.js";

export const DEFAULTS = {
  openaiModel: "gpt-4.1-mini",
  deepseekBaseURL: "https://api.deepseek.com",
  deepseekModel: "deepseek-chat",
  maxIterations: 100,
  requestTimeoutMs: 10 * 60_000,
  maxRetries: 2,
  /** Identical tool calls in a row before the next one is stopped (call-guards.ts); 0: never. */
  repeatLimit: 3,
} as const;

const configSchema = z.object({
  baseURL: z.string().url("must be a URL such as http://localhost:11434/v1").optional(),
  apiKey: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  workspace: z.string(),
  maxIterations: z.number().int().min(1, "must be at least 1"),
  repeatLimit: z.number().int("must be a whole number").min(0, "must be 0 (off) or more"),
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
  configDir: z.string(),
  dataDir: z.string(),
  print: z.boolean(),
  prompt: z.string().optional(),
  yes: z.boolean(),
  keepBackground: z.boolean(),
  continueLatest: z.boolean(),
  /** undefined: not asked; "": list sessions; otherwise an id or id prefix. */
  resume: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;

/**
 * Build the one typed Config. Precedence: flags, then the environment, then ./.env, then the
 * user's config file. Contract: throws UsageError (never anything else) for bad input.
 */
export async function loadConfig(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<Config> {
  const { values, positionals } = args;
  const home = env.HOME || homedir();
  const configDir = env.MINI_CLAUDE_HOME || join(env.XDG_CONFIG_HOME || join(home, ".config"), "mini-claude");
  const dataDir = env.MINI_CLAUDE_HOME || join(env.XDG_DATA_HOME || join(home, ".local", "share"), "mini-claude");
  const vars = { ...(await readEnvFile(join(configDir, ".env"))), ...(await readEnvFile(join(cwd, ".env"))), ...definedOnly(env) };

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
    workspace: resolveWorkspace(str(values.workspace) ?? ".", cwd),
    maxIterations: values["max-iterations"] === undefined ? DEFAULTS.maxIterations : Number(values["max-iterations"]),
    repeatLimit: repeatLimit(values["repeat-limit"] ?? vars.MINI_CLAUDE_REPEAT_LIMIT),
    ...contextWindowSetting(str(values["context-window"]), vars.MINI_CLAUDE_CONTEXT_WINDOW),
    requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    maxRetries: DEFAULTS.maxRetries,
    configDir,
    dataDir,
    print: Boolean(values.print),
    prompt: positionals.length ? positionals.join(" ") : undefined,
    yes: Boolean(values.yes),
    keepBackground: Boolean(values["keep-background"]),
    continueLatest: Boolean(values.continue),
    resume: str(values.resume),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      {
        baseURL: "base URL",
        maxIterations: "--max-iterations",
        repeatLimit: "--repeat-limit (MINI_CLAUDE_REPEAT_LIMIT)",
        contextWindow: "context window",
      }[String(issue.path[0])] ?? String(issue.path[0]);
    throw new UsageError(`Invalid ${field}: ${issue.message}`);
  }
  if (parsed.data.prompt && !parsed.data.print) {
    throw new UsageError(`Unexpected argument "${parsed.data.prompt}". To run one request, use: mini-claude -p "${parsed.data.prompt}"`);
  }
  return parsed.data;
}

/** The message for a person who has configured no endpoint at all. */
export const NO_ENDPOINT_MESSAGE =
  "No model endpoint configured. Set OPENAI_API_KEY (OpenAI), DEEPSEEK_API_KEY (DeepSeek), or OPENAI_BASE_URL " +
  "for a local server (e.g. http://localhost:11434/v1 for Ollama), in the environment or in .env.";

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

/** dotenv's parse only (it never prints, unlike config()); loaded only when a file exists. */
async function readEnvFile(path: string): Promise<Record<string, string>> {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch {
    return {};
  }
  // `.default` is module.exports both for Node's own import of CommonJS and in the bundle.
  const dotenv = await import("dotenv");
  return dotenv.default.parse(text);
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")) as Record<string, string>;
}

function repeatLimit(value: string | boolean | undefined): number {
  if (value === undefined || value === "") return DEFAULTS.repeatLimit;
  return /^(off|false|no)$/i.test(String(value)) ? 0 : Number(value);
}

function str(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}
