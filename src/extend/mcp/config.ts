import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseOAuthSettings, type OAuthSettings } from "./oauth-settings.js";

/**
 * Which MCP servers exist: the workspace's `.mcp.json` (the project's, so untrusted until the person
 * approves each server), the user's `mcp.json` in the config folder and any `--mcp-config FILE`
 * (both the person's own, so trusted). The format is Claude Code's: `{ "mcpServers": { NAME: {…} } }`
 * with `command`/`args`/`env` for stdio, or `type: "http"` (or the legacy `"sse"`) with `url`/`headers`
 * and, for a server that needs a login, `oauth` (oauth-settings.ts).
 */

export const MCP_DEFAULTS = { startupTimeoutMs: 10_000, toolTimeoutMs: 60_000 } as const;

interface Common {
  name: string;
  /** "project": the workspace's .mcp.json, which needs the person's trust; "user": theirs. */
  origin: "project" | "user";
  /** The file it came from, for messages. */
  file: string;
  startupTimeoutMs: number;
  toolTimeoutMs: number;
  includeTools?: string[];
  excludeTools?: string[];
}

export type ServerConfig =
  | (Common & { transport: "stdio"; command: string; args: string[]; env: Record<string, string>; cwd: string })
  | (Common & { transport: "http" | "sse"; url: string; headers: Record<string, string>; oauth: OAuthSettings });

export interface McpConfigResult {
  servers: ServerConfig[];
  /** One line per problem (a bad file, a bad server entry); the servers around it still load. */
  problems: string[];
  /** One line per doubt about a server that still loads (an unknown field, an unset `${VAR}`). */
  warnings?: string[];
}

/** The fields a server entry may have; any other is most likely a typo, and is named. */
const KNOWN_FIELDS = new Set([
  ...["type", "command", "args", "env", "cwd", "url", "headers", "enabled", "disabled"],
  ...["startup_timeout_ms", "tool_timeout_ms", "include_tools", "exclude_tools"],
]);

/** The configured, enabled servers; a later file's server replaces an earlier one of the same name. */
export function loadMcpConfig(options: { workspace: string; configDir: string; extraFiles?: string[]; env?: NodeJS.ProcessEnv }): McpConfigResult {
  const env = options.env ?? process.env;
  const files: { file: string; origin: "project" | "user" }[] = [
    { file: join(options.configDir, "mcp.json"), origin: "user" },
    { file: join(options.workspace, ".mcp.json"), origin: "project" },
    ...(options.extraFiles ?? []).map((file) => ({ file: resolve(file), origin: "user" as const })),
  ];
  const byName = new Map<string, ServerConfig>();
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const { file, origin } of files) {
    if (!existsSync(file)) continue;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      problems.push(`${file}: not valid JSON (${(error as Error).message.split("\n")[0]})`);
      continue;
    }
    const servers = (data as { mcpServers?: unknown })?.mcpServers;
    if (!isObject(servers)) {
      problems.push(`${file}: no "mcpServers" object`);
      continue;
    }
    for (const [name, raw] of Object.entries(servers)) {
      try {
        const doubts: string[] = [];
        const server = parseServer(name, raw, { origin, file, env, workspace: options.workspace, doubt: (line) => doubts.push(line) });
        if (server) byName.set(name, server);
        else byName.delete(name);
        for (const doubt of new Set(doubts)) warnings.push(`${file}: server "${name}": ${doubt}`);
      } catch (error) {
        problems.push(`${file}: server "${name}": ${(error as Error).message}`);
      }
    }
  }
  return { servers: [...byName.values()], problems, warnings };
}

/**
 * The first problem of a file the person named with --mcp-config: they asked for exactly those
 * servers, so a broken file stops the run (a usage error) instead of starting without them.
 */
export function namedFileProblem(result: McpConfigResult, namedFiles: string[]): string | undefined {
  const named = namedFiles.map((file) => `${resolve(file)}: `);
  return result.problems.find((line) => named.some((prefix) => line.startsWith(prefix)));
}

/** One entry; undefined when it is disabled. Throws an Error with a short reason when it is malformed. */
function parseServer(
  name: string,
  raw: unknown,
  where: { origin: "project" | "user"; file: string; env: NodeJS.ProcessEnv; workspace: string; doubt: (line: string) => void },
): ServerConfig | undefined {
  if (!isObject(raw)) throw new Error("must be an object");
  if (raw.enabled === false || raw.disabled === true) return undefined;
  for (const field of Object.keys(raw)) if (!KNOWN_FIELDS.has(field)) where.doubt(`unknown field "${field}" (ignored)`);
  const expand = (value: unknown, field: string): string => {
    if (typeof value !== "string") throw new Error(`"${field}" must be a string`);
    return expandVars(value, where.env, (name) => where.doubt(`\${${name}} is not set, so it is empty`));
  };
  const common: Common = {
    name,
    origin: where.origin,
    file: where.file,
    startupTimeoutMs: milliseconds(raw.startup_timeout_ms, "startup_timeout_ms", MCP_DEFAULTS.startupTimeoutMs),
    toolTimeoutMs: milliseconds(raw.tool_timeout_ms, "tool_timeout_ms", MCP_DEFAULTS.toolTimeoutMs),
    includeTools: stringList(raw.include_tools, "include_tools"),
    excludeTools: stringList(raw.exclude_tools, "exclude_tools"),
  };
  const type = raw.type ?? (raw.url !== undefined ? "http" : "stdio");
  if (type === "http" || type === "streamable-http" || type === "streamableHttp" || type === "sse") {
    const url = expand(raw.url, "url");
    try {
      new URL(url);
    } catch {
      throw new Error(`"url" is not a URL: ${url}`);
    }
    const transport = type === "sse" ? "sse" : "http";
    return { ...common, transport, url, headers: stringMap(raw.headers, "headers", expand), oauth: parseOAuthSettings(raw.oauth, expand) };
  }
  if (type !== "stdio") throw new Error(`type "${String(type)}" is not supported (use "stdio", "http" or "sse")`);
  const command = expand(raw.command, "command");
  if (!command.trim()) throw new Error(`"command" is empty`);
  const args = raw.args === undefined ? [] : Array.isArray(raw.args) ? raw.args.map((arg, i) => expand(arg, `args[${i}]`)) : [];
  if (raw.args !== undefined && !Array.isArray(raw.args)) throw new Error(`"args" must be a list of strings`);
  const cwd = raw.cwd === undefined ? where.workspace : resolve(where.workspace, expand(raw.cwd, "cwd"));
  return { ...common, transport: "stdio", command, args, env: stringMap(raw.env, "env", expand), cwd };
}

/** `${VAR}` and `${VAR:-default}`; an unset variable becomes the default, or "" after `unset(name)` is told. */
export function expandVars(text: string, env: NodeJS.ProcessEnv, unset?: (name: string) => void): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback === undefined) unset?.(name);
    return fallback ?? "";
  });
}

/** The server's command line, as the person approves it (and as trust remembers it). */
export function commandLine(server: ServerConfig): string {
  if (server.transport !== "stdio") return server.url;
  return [server.command, ...server.args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part))).join(" ");
}

function milliseconds(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new Error(`"${field}" must be a positive number of milliseconds`);
  return value;
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) throw new Error(`"${field}" must be a list of tool names`);
  return value as string[];
}

function stringMap(value: unknown, field: string, expand: (value: unknown, field: string) => string): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new Error(`"${field}" must be an object of strings`);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expand(item, `${field}.${key}`)]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
