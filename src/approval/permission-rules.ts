import { isAbsolute, relative, sep } from "node:path";
import { fromClaudeName } from "../claude-names.js";
import type { ApprovalRequest } from "../tools/define.js";

/**
 * Permission rules in Claude Code's syntax, so a settings file written for Claude Code means the
 * same here: `Tool` or `Tool(specifier)`.
 *
 *   Bash            every command          Bash(npm test:*)  "npm test" and what follows it
 *   Bash(git status) that command exactly  Bash(git * main)  `*` is any text
 *   Read(./.env)    gitignore-style paths: `//abs`, `~/home`, `/project-root`, `./cwd` or bare (cwd)
 *   Edit(src/**)    every file-changing tool;  Write(...) write_file only
 *   WebFetch(domain:example.com)  a command's network request to that domain (the sandbox's domain ask)
 *   mcp__server  mcp__server__tool  mcp__server__*
 *
 * Claude Code's tool names map to ours through claude-names.ts, the one mapping (Bash → exec, …);
 * what is rules' own knowledge stays here (WIDE): Read rules cover every tool that reads, Edit
 * rules every tool that changes a file, WebFetch a command's domain request.
 */

/** A Claude Code tool name (Bash, Read, Edit, Write, Grep, Glob, MultiEdit, LS, WebFetch), or "mcp" for mcp__… rules. */
export type RuleTool = string;

/** Rule names wider than one tool of ours, as Claude Code reads them. */
const WIDE: Record<string, (request: ApprovalRequest) => boolean> = {
  // Claude Code: Read rules apply to every tool that reads files (Grep, Glob/LS too).
  Read: (r) => r.kind === "read",
  // Claude Code: Edit rules apply to every tool that changes files.
  Edit: (r) => r.kind === "write",
  // A command's domain request is WebFetch's: an ask on `Bash(npm install:*)` asks once, not again per domain.
  WebFetch: (r) => r.kind === "network",
  mcp: (r) => r.kind === "tool" || r.kind === "server",
};

/** True when rules naming Claude Code's `tool` govern `request`. */
function governs(tool: RuleTool, request: ApprovalRequest): boolean {
  if (Object.hasOwn(WIDE, tool)) return WIDE[tool](request);
  const ours = request.kind === "command" ? "exec" : request.kind === "read" || request.kind === "write" ? request.tool : undefined;
  return ours !== undefined && fromClaudeName(tool) === ours;
}

/** Claude Code names with no tool here: a rule naming one parses and never matches (/permissions says so). */
const ELSEWHERE = new Set(["WebSearch", "Task", "Agent", "NotebookEdit", "NotebookRead", "TodoWrite", "KillShell", "BashOutput", "SlashCommand", "Skill", "ExitPlanMode"]);

export interface PermissionRule {
  /** The rule as written, for messages. */
  text: string;
  tool: RuleTool | "elsewhere";
  specifier?: string;
  /** The folder `/path` rules are relative to (the project root) and `./path` ones (the cwd). */
  root: string;
  /** The settings file it came from, for messages and /permissions. */
  source: string;
}

/** Contract: a rule, or a string saying why `text` is not one (never throws). */
export function parseRule(text: unknown, root: string, source = "(settings)"): PermissionRule | string {
  if (typeof text !== "string") return "not a string";
  const match = /^\s*([A-Za-z][\w-]*\*?)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (!match) return "not of the form Tool or Tool(specifier)";
  const [, name, inner] = match;
  const specifier = inner === undefined || inner.trim() === "*" || inner.trim() === "" ? undefined : inner.trim();
  if (name.startsWith("mcp__")) {
    if (specifier) return "MCP rules take no parentheses (mcp__server or mcp__server__tool)";
    return { text, tool: "mcp", specifier: name, root, source };
  }
  if (ELSEWHERE.has(name)) return { text, tool: "elsewhere", specifier, root, source };
  if (name !== "WebFetch" && fromClaudeName(name) === undefined) return `unknown tool "${name}"`;
  if (name === "WebFetch" && specifier && !/^domain:\S+$/.test(specifier)) return "WebFetch takes domain:HOST";
  return { text, tool: name, specifier, root, source };
}

/** True when `rule` governs `request`. */
export function ruleMatches(rule: PermissionRule, request: ApprovalRequest): boolean {
  if (rule.tool === "elsewhere" || !governs(rule.tool, request)) return false;
  switch (request.kind) {
    case "command":
      return rule.specifier === undefined || commandParts(request.command).some((part) => commandMatches(rule.specifier!, part));
    case "network":
      return rule.specifier === undefined || domainMatches(rule.specifier.slice("domain:".length), request.host, request.port);
    case "read":
    case "write":
      return rule.specifier === undefined || [request.path, request.requested].some((path) => path !== undefined && pathMatches(rule, path));
    case "tool":
    case "server":
      return mcpMatches(rule.specifier!, request);
    case "hook":
      return false;
  }
}

/**
 * True when every part of a compound command is covered by one of `rules` (how an allow rule
 * applies: `Bash(npm test:*)` never covers `npm test && curl …`). A substitution (`$(…)`,
 * backticks) is never covered: what it runs is not in the words.
 */
export function everyPartAllowed(rules: PermissionRule[], command: string): boolean {
  const bash = rules.filter((rule) => rule.tool === "Bash");
  if (/`|\$\(|<\(|>\(/.test(command)) return false;
  return commandParts(command).every((part) => bash.some((rule) => rule.specifier === undefined || commandMatches(rule.specifier, part)));
}

/** The simple commands of a compound one, without redirections to files. */
function commandParts(command: string): string[] {
  return command
    .split(/&&|\|\||[;|&\n]/)
    .map((part) => part.replace(/\s+/g, " ").trim())
    .filter(Boolean);
}

/** `prefix:*` (Claude Code's older form), `*` as any text (a trailing ` *` also matches nothing), or the exact command. */
function commandMatches(specifier: string, command: string): boolean {
  const spec = specifier.replace(/\s+/g, " ");
  if (spec.endsWith(":*")) {
    const prefix = spec.slice(0, -2);
    return command === prefix || command.startsWith(`${prefix} `);
  }
  if (!spec.includes("*")) return command === spec;
  const source = spec
    .split("*")
    .map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const optionalTail = spec.endsWith(" *") && spec.indexOf("*") === spec.length - 1 ? source.replace(/ \.\*$/, "( .*)?") : source;
  return new RegExp(`^${optionalTail}$`, "s").test(command);
}

/** `example.com`, `*.example.com` (any subdomain), either with `:PORT`. */
export function domainMatches(pattern: string, host: string, port?: number): boolean {
  const [name, wantedPort] = pattern.toLowerCase().split(/:(?=\d+$)/);
  if (wantedPort !== undefined && Number(wantedPort) !== port) return false;
  const target = host.toLowerCase();
  if (name.startsWith("*.")) return target.endsWith(name.slice(1));
  return target === name;
}

function mcpMatches(pattern: string, request: { kind: "tool"; server: string; name: string } | { kind: "server"; name: string }): boolean {
  const [, server, tool] = /^mcp__(.+?)(?:__(.+))?$/.exec(pattern) ?? [];
  if (request.kind === "server") return tool === undefined && server === request.name;
  if (server !== request.server) return false;
  return tool === undefined || tool === "*" || tool === request.name;
}

/** Claude Code's path forms over gitignore semantics (one pattern, so no negation or precedence). */
function pathMatches(rule: PermissionRule, absolute: string): boolean {
  const spec = rule.specifier!;
  let base: string;
  let pattern: string;
  if (spec.startsWith("//")) [base, pattern] = ["/", spec.slice(1)];
  else if (spec.startsWith("~/")) {
    // No home folder (a service account): a `~/` rule has nothing to match.
    if (!process.env.HOME) return false;
    [base, pattern] = [process.env.HOME, spec.slice(1)];
  } else if (spec.startsWith("./")) [base, pattern] = [rule.root, spec.slice(1)];
  else [base, pattern] = [rule.root, spec];
  const below = relative(base, absolute);
  if (below === "" || below.startsWith("..") || isAbsolute(below)) return false;
  return gitignoreRegex(pattern).test(below.split(sep).join("/"));
}

/**
 * gitignore's reading of one pattern: a slash at the start or in the middle anchors it to the
 * base, otherwise it matches at any depth; `*` and `?` stay within a name, `**` crosses folders;
 * a match on a folder covers everything below it.
 */
function gitignoreRegex(pattern: string): RegExp {
  const trimmed = pattern.replace(/\/+$/, "");
  const anchored = trimmed.includes("/");
  const body = trimmed.replace(/^\//, "");
  let source = "";
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (body.startsWith("**/", i)) {
      source += "(?:.*/)?";
      i += 2;
    } else if (body.startsWith("**", i)) {
      source += ".*";
      i += 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${anchored ? "" : "(?:.*/)?"}${source}(?:/.*)?$`, "s");
}
