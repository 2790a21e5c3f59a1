import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadProjectInstructions, MAX_INSTRUCTIONS_CHARS } from "../extend/instructions.js";
import { loadMcpConfig } from "../extend/mcp/config.js";
import { findInlineCommands } from "../extend/templates/inline-commands.js";
import { covers } from "../extend/templates/allowed-tools.js";
import { geminiSettingsFiles, loadTemplates, templateFolders } from "../extend/templates/load.js";
import { feature } from "./features.js";
import { filesUnder, placeOf, readJson, readText, type Place, type Row } from "./rows.js";

/** Instructions files, Gemini CLI, pi, Codex and .mcp.json. */

export function instructionsRows(workspace: string, home: string | undefined): Row[] {
  const loaded = loadProjectInstructions(workspace, home);
  if (!loaded) return [];
  const cut = loaded.text.length > MAX_INSTRUCTIONS_CHARS;
  const files: Row[] = loaded.file.split(", ").map((file, index, all) => ({
    source: file,
    item: "instructions",
    ...(cut && index === all.length - 1 ? feature("instructions.cut") : feature("instructions.file")),
  }));
  const skipped: Row[] = loaded.skipped.map((skip) => ({ source: skip.from, item: `@${skip.token}`, status: "ignored", why: skip.why }));
  return [...files, ...skipped];
}

export function geminiRows(workspace: string, home: string | undefined, configDir: string): Row[] {
  const rows: Row[] = [];
  for (const path of [join(workspace, "GEMINI.md"), ...(home ? [join(home, ".gemini", "GEMINI.md")] : [])]) {
    if (existsSync(path)) rows.push({ source: placeOf(path, workspace, home).shown, item: "instructions", ...feature("gemini.GEMINI.md") });
  }
  for (const path of geminiSettingsFiles(workspace, home)) {
    const place = placeOf(path, workspace, home);
    const json = readJson(path);
    if (json && "problem" in json) rows.push({ source: place.shown, item: "the file", status: "ignored", why: json.problem });
    else if (json) for (const key of Object.keys(json.value)) rows.push({ source: place.shown, item: key, ...feature(`gemini.settings.${key}`, "a Gemini CLI setting mini-claude does not read") });
  }
  const templates = loadTemplates(templateFolders(workspace, configDir, home), geminiSettingsFiles(workspace, home)).filter((t) => t.syntax === "gemini");
  for (const template of templates) {
    const commands = findInlineCommands(template.body, "gemini");
    const uncovered = commands.filter((command) => !covers(template.commandRules, command.command));
    const found = uncovered.length
      ? { status: "ignored" as const, why: `${uncovered[0].token} is not covered by tools.allowed: the command is refused` }
      : feature(commands.length ? "gemini.command.!{cmd}" : "gemini.command");
    rows.push({ source: placeOf(template.file, workspace, home).shown, item: `/${template.name}`, ...found });
  }
  return rows;
}

export function piRows(workspace: string, home: string | undefined): Row[] {
  const rows: Row[] = [];
  const prompts = filesUnder(join(workspace, ".pi", "prompts"), ".md");
  if (prompts.length) rows.push({ source: ".pi/prompts", item: prompts.map((file) => `/${file.name.replace(/\//g, ":")}`).join(" "), ...feature("pi.prompt") });
  for (const path of [join(workspace, ".pi", "settings.json"), ...(home ? [join(home, ".pi", "agent", "settings.json")] : [])]) {
    if (existsSync(path)) rows.push({ source: placeOf(path, workspace, home).shown, item: "settings", ...feature("pi.settings") });
  }
  const user = home ? filesUnder(join(home, ".pi", "agent", "prompts"), ".md") : [];
  if (user.length) rows.push({ source: "~/.pi/agent/prompts", item: `${user.length} prompt${user.length === 1 ? "" : "s"}`, ...feature("pi.user-prompt") });
  return rows;
}

export function codexRows(home: string | undefined): Row[] {
  if (!home) return [];
  const rows: Row[] = [];
  const config = readText(join(home, ".codex", "config.toml"));
  if (config !== undefined) {
    // Top-level keys and [tables]; [mcp_servers.x] counts as mcp_servers.
    const keys = new Set<string>();
    let inTable = false;
    for (const line of config.split("\n")) {
      const table = /^\s*\[+\s*([\w-]+)/.exec(line);
      const key = /^\s*([\w-]+)\s*=/.exec(line);
      if (table) {
        inTable = true;
        keys.add(table[1]);
      } else if (key && !inTable) {
        keys.add(key[1]);
      }
    }
    for (const key of keys) rows.push({ source: "~/.codex/config.toml", item: key, ...feature(`codex.config.${key}`, "a Codex setting mini-claude does not read") });
  }
  const prompts = filesUnder(join(home, ".codex", "prompts"), ".md");
  if (prompts.length) rows.push({ source: "~/.codex/prompts", item: prompts.map((file) => `/${file.name}`).join(" "), ...feature("codex.prompt") });
  return rows;
}

export function mcpRows(workspace: string, home: string | undefined, configDir: string): Row[] {
  const place: Place = placeOf(join(workspace, ".mcp.json"), workspace, home);
  const json = readJson(place.path);
  if (json === undefined) return [];
  if ("problem" in json) return [{ source: place.shown, item: "the file", status: "ignored", why: json.problem }];
  const servers = json.value.mcpServers;
  if (!servers || typeof servers !== "object") return [{ source: place.shown, item: "the file", status: "ignored", why: 'no "mcpServers" object' }];
  const parsed = loadMcpConfig({ workspace, configDir });
  return Object.entries(servers as Record<string, Record<string, unknown>>).map(([name, raw]) => {
    const problem = parsed.problems.find((line) => line.startsWith(`${place.path}: server "${name}": `));
    if (raw?.type === "sse") return { source: place.shown, item: name, ...feature("mcp.server.sse") };
    if (problem) return { source: place.shown, item: name, status: "ignored" as const, why: problem.slice(`${place.path}: server "${name}": `.length) };
    const transport = parsed.servers.find((server) => server.name === name)?.transport ?? "stdio";
    const disabled = raw?.disabled === true || raw?.enabled === false;
    return disabled ? { source: place.shown, item: name, status: "ignored" as const, why: "disabled in the file" } : { source: place.shown, item: name, ...feature(`mcp.server.${transport}`) };
  });
}
