import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../config/args.js";
import { showControls } from "../sanitize.js";
import { claudeAgentRows, claudeCommandRows, claudeSettingsRows, claudeSkillRows } from "./claude.js";
import { codexRows, geminiRows, instructionsRows, mcpRows, piRows } from "./others.js";
import { placeOf, type Row } from "./rows.js";

/**
 * `mini-claude doctor`: every configuration written for another agent (Claude Code, Gemini CLI,
 * pi, Codex) found in this folder and the person's home, and what mini-claude makes of each item:
 * works, partly (why), ignored (why), or flagged (a hook script that would silently misbehave).
 * It reads files only: nothing runs, nothing is sent. What mini-claude supports is features.ts.
 */

export interface DoctorPlaces {
  workspace: string;
  home: string | undefined;
  /** mini-claude's own config folder (its commands/, mcp.json). */
  configDir: string;
}

export function doctorRows({ workspace, home, configDir }: DoctorPlaces): Array<{ title: string; rows: Row[] }> {
  const at = (path: string) => placeOf(path, workspace, home);
  const claudeDirs = [join(workspace, ".claude"), ...(home ? [join(home, ".claude")] : [])];
  const settings = [join(workspace, ".claude", "settings.json"), join(workspace, ".claude", "settings.local.json"), ...(home ? [join(home, ".claude", "settings.json")] : [])];
  const claude = [
    ...settings.flatMap((path) => claudeSettingsRows(at(path), workspace)),
    ...claudeDirs.flatMap((dir) => claudeCommandRows(at(join(dir, "commands")))),
    ...claudeDirs.flatMap((dir) => claudeAgentRows(at(join(dir, "agents")))),
    ...claudeDirs.flatMap((dir) => claudeSkillRows(at(join(dir, "skills")))),
  ];
  return [
    { title: "Instructions (CLAUDE.md, AGENTS.md and their imports)", rows: instructionsRows(workspace, home) },
    { title: "Claude Code", rows: claude },
    { title: "MCP servers (.mcp.json)", rows: mcpRows(workspace, home, configDir) },
    { title: "Gemini CLI", rows: geminiRows(workspace, home, configDir) },
    { title: "pi", rows: piRows(workspace, home) },
    { title: "Codex", rows: codexRows(home) },
  ];
}

/** The report: one compact table per format that has files here, then the totals. */
export function doctorReport(places: DoctorPlaces): string {
  const sections = doctorRows(places).filter((section) => section.rows.length);
  if (!sections.length) return `No configuration for Claude Code, Gemini CLI, pi or Codex found in ${places.workspace} or the home folder.`;
  const all = sections.flatMap((section) => section.rows);
  const sourceWidth = Math.min(36, Math.max(...all.map((row) => row.source.length)));
  const itemWidth = Math.min(32, Math.max(...all.map((row) => row.item.length)));
  const lines: string[] = [];
  for (const section of sections) {
    lines.push(section.title);
    let previous = "";
    for (const row of section.rows) {
      const source = row.source === previous ? "" : row.source;
      previous = row.source;
      const why = row.why ? `  ${row.why}` : "";
      lines.push(`  ${source.padEnd(sourceWidth)}  ${row.item.padEnd(itemWidth)}  ${row.status.padEnd(7)}${why}`.trimEnd());
    }
    lines.push("");
  }
  const count = (status: Row["status"]) => all.filter((row) => row.status === status).length;
  lines.push(`${count("works")} work, ${count("partly")} partly, ${count("ignored")} ignored, ${count("flagged")} flagged.`);
  return lines.join("\n");
}

/** The subcommand: the workspace from -w (or the current folder), the person's home and config folder from the environment. */
export function runDoctor(workspaceFlag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  let workspace: string;
  try {
    workspace = realpathSync(resolve(workspaceFlag ?? process.cwd()));
  } catch {
    throw new UsageError(`doctor: no folder ${workspaceFlag ?? process.cwd()}`);
  }
  const home = env.HOME;
  const configDir = env.MINI_CLAUDE_HOME || join(env.XDG_CONFIG_HOME || join(home ?? "/nonexistent", ".config"), "mini-claude");
  process.stdout.write(`${showControls(doctorReport({ workspace, home, configDir }), "\n")}\n`);
  return 0;
}
