import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fromClaudeName } from "../claude-names.js";
import { readCapped } from "../read-capped.js";
import { oneLine } from "../text.js";
import { isInside } from "../workspace.js";
import { parseFrontMatter } from "./front-matter.js";
import { isTrusted, rememberTrust } from "./hooks/trust.js";

/**
 * The agents the `agent` tool may run (loop/subagent.ts): the built-in read-only one, and custom
 * ones in Claude Code's format, a Markdown file whose front matter has `name`, `description`,
 * `tools` (Claude Code's names: Read, Grep, Glob, Bash, …) and `model`, its body the system prompt.
 *
 *   project  .mini-claude/agents/*.md  .claude/agents/*.md
 *   user     <config dir>/agents/*.md  ~/.claude/agents/*.md
 *
 * A project's agent that may act (run commands, write files) is a repository asking to act on
 * this machine, so it is trusted by the project's hooks' decision: the REPL's one question about
 * both (terminal/hooks-trust.ts; remembered until the agents change) or --trust-project-hooks;
 * until then it is not offered.
 */

export interface AgentDefinition {
  name: string;
  description: string;
  /** Our tool names, in the order given. */
  tools: string[];
  /** The model name; undefined: the parent's ("inherit", and Claude's aliases, which name no model here). */
  model?: string;
  /** The system prompt; "" for the built-in agent, whose prompt is subagentPrompt's own. */
  prompt: string;
  /** The file it came from (relative to the workspace when inside it); "built-in" for ours. */
  source: string;
  scope: "built-in" | "project" | "user";
}

export interface AgentSet {
  /** Every agent found, the built-in one first; a project's overrides a user's of the same name. */
  all: AgentDefinition[];
  /** The agents that may run: all but a project's acting ones the person has not trusted. */
  usable(): AgentDefinition[];
  /** A project's acting agents not trusted yet (the REPL asks about them). */
  untrusted(): AgentDefinition[];
  /** Trust the project's acting agents and remember it; false when it could not be saved (it then holds for this session). */
  trust(): boolean;
  /** One line per file or tool name that could not be used. */
  problems: string[];
}

/** The tools a subagent gets unless its definition lists others: they only read. */
export const READ_ONLY_TOOLS = ["read_file", "grep", "list_files"];
/** Names models trained on Claude Code send for the built-in agent. */
const BUILT_IN_NAMES = ["general-purpose", "general", "explore"];
const BUILT_IN: AgentDefinition = { name: "general-purpose", description: "", tools: READ_ONLY_TOOLS, prompt: "", source: "built-in", scope: "built-in" };
/** Claude Code's model aliases name Anthropic models, which an OpenAI-compatible endpoint does not serve. */
const INHERITED_MODELS = new Set(["", "inherit", "sonnet", "opus", "haiku"]);
const MAX_AGENT_FILE_BYTES = 64 * 1024;
const MAX_DESCRIPTION_CHARS = 300;
const TRUST_STORE = "trusted-agents.json";

export interface AgentFolders {
  workspace: string;
  configDir: string;
  home: string | undefined;
  /** Where trust is remembered (outside the workspace, so a repository cannot trust itself). */
  dataDir: string;
  /** --trust-project-hooks: the project's hooks and agents are trusted for this run. */
  trustProject?: boolean;
}

/** Contract: never throws; unreadable folders are skipped, a file without a name or description is a problem line. */
export function loadAgents(where: AgentFolders): AgentSet {
  const problems: string[] = [];
  const found = new Map<string, AgentDefinition>();
  const folders: [string, AgentDefinition["scope"]][] = [
    [join(where.workspace, ".mini-claude", "agents"), "project"],
    [join(where.workspace, ".claude", "agents"), "project"],
    [join(where.configDir, "agents"), "user"],
    ...(where.home ? [[join(where.home, ".claude", "agents"), "user"] as [string, AgentDefinition["scope"]]] : []),
  ];
  for (const [folder, scope] of folders) {
    for (const definition of readFolder(folder, scope, where.workspace, problems)) {
      const key = definition.name.toLowerCase();
      if (!found.has(key) && !BUILT_IN_NAMES.includes(key)) found.set(key, definition);
    }
  }
  const all = [BUILT_IN, ...found.values()];
  const acting = all.filter((agent) => agent.scope === "project" && agent.tools.some((tool) => !READ_ONLY_TOOLS.includes(tool)));
  const fingerprint = createHash("sha256").update(JSON.stringify(acting.map(({ name, tools, model, prompt, source }) => [name, tools, model, prompt, source]))).digest("hex");
  let trusted = acting.length === 0 || where.trustProject === true || isTrusted(where.dataDir, where.workspace, fingerprint, TRUST_STORE);
  return {
    all,
    problems,
    usable: () => (trusted ? all : all.filter((agent) => !acting.includes(agent))),
    untrusted: () => (trusted ? [] : acting),
    trust: () => {
      trusted = true;
      return rememberTrust(where.dataDir, where.workspace, fingerprint, TRUST_STORE);
    },
  };
}

/** The agent `type` names (any case; Claude Code's built-in names denote ours); undefined when none. */
export function findAgent(agents: AgentDefinition[], type: string | undefined): AgentDefinition | undefined {
  const key = (type ?? "").trim().toLowerCase();
  if (!key || BUILT_IN_NAMES.includes(key)) return agents.find((agent) => agent.scope === "built-in");
  return agents.find((agent) => agent.name.toLowerCase() === key);
}

/** Whether the agent only reads (so its call may run beside others). */
export function onlyReads(agent: AgentDefinition): boolean {
  return agent.tools.every((tool) => READ_ONLY_TOOLS.includes(tool));
}

/**
 * The subagent's system prompt: the definition's body, or ours for the built-in agent, and the
 * workspace it works in. Short on purpose: each of its requests pays for it.
 */
export function subagentPrompt(agent: AgentDefinition, root: string): string {
  const own = agent.prompt.trim() || [
    "You are a subagent of mini-claude: you do one task for the main agent in the user's project and report back.",
    "Investigate with your tools, then answer with what you found: concise, with file paths and line numbers.",
    "The main agent reads only your final answer, and cannot answer questions.",
  ].join("\n");
  return `${own}\n\nWorkspace: ${root} (date ${new Date().toISOString().slice(0, 10)}). Use relative paths. Your tools: ${agent.tools.join(", ")}.`;
}

function readFolder(folder: string, scope: AgentDefinition["scope"], workspace: string, problems: string[]): AgentDefinition[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith(".md")).sort();
  } catch {
    return [];
  }
  const definitions: AgentDefinition[] = [];
  for (const name of names) {
    const file = join(folder, name);
    const source = isInside(workspace, file) ? relative(workspace, file) : file;
    const read = readCapped(file, MAX_AGENT_FILE_BYTES);
    if (!read) continue;
    const { fields, body } = parseFrontMatter(read.bytes.toString("utf8"));
    const agentName = (fields.name ?? "").trim();
    const description = oneLine(fields.description ?? "", MAX_DESCRIPTION_CHARS);
    if (!/^[\w.-]+$/.test(agentName) || !description) {
      problems.push(`agent ${source}: needs a name (letters, digits, - _ .) and a description in its front matter; not offered.`);
      continue;
    }
    const tools = fields.tools === undefined ? READ_ONLY_TOOLS : toolNames(fields.tools, source, problems);
    const model = (fields.model ?? "").trim();
    definitions.push({ name: agentName, description, tools, model: INHERITED_MODELS.has(model) ? undefined : model, prompt: body.trim(), source, scope });
  }
  return definitions;
}

/** "Read, Grep, Bash(git:*)" → ["read_file", "grep", "exec"]; our own names pass; no agent (no recursion). */
function toolNames(list: string, source: string, problems: string[]): string[] {
  const ours = new Set<string>();
  for (const entry of list.split(",").map((part) => part.trim().replace(/\(.*\)$/, "")).filter(Boolean)) {
    const name = fromClaudeName(entry) ?? (BUILT_IN_TOOLS.includes(entry) ? entry : undefined);
    if (name === "agent") continue;
    if (name) ours.add(name);
    else problems.push(`agent ${source}: tool "${entry}" is not available here; left out.`);
  }
  return [...ours];
}

const BUILT_IN_TOOLS = ["read_file", "write_file", "edit_file", "list_files", "grep", "exec", "web_fetch"];
