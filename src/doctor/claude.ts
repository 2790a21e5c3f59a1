import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseFrontMatter } from "../extend/front-matter.js";
import { readCapped } from "../read-capped.js";
import { commandRules, covers, describeRules } from "../extend/templates/allowed-tools.js";
import { findInlineCommands } from "../extend/templates/inline-commands.js";
import { feature, type Feature } from "./features.js";
import { hookFindings } from "./hook-scripts.js";
import { filesUnder, readJson, type Row, type Place } from "./rows.js";

/** Claude Code's files: settings (hooks, permissions, the rest), commands, agents and skills. */

export function claudeSettingsRows(place: Place, workspace: string): Row[] {
  const json = readJson(place.path);
  if (json === undefined) return [];
  if ("problem" in json) return [{ source: place.shown, item: "the file", status: "ignored", why: json.problem }];
  const rows: Row[] = [];
  const row = (item: string, found: Feature) => rows.push({ source: place.shown, item, ...found });
  for (const [key, value] of Object.entries(json.value)) {
    if (key === "hooks" && value && typeof value === "object") {
      for (const [event, groups] of Object.entries(value as Record<string, unknown>)) {
        const hooks = (Array.isArray(groups) ? groups : []).flatMap((group) => (Array.isArray(group?.hooks) ? (group.hooks as Array<{ type?: string; command?: string }>) : []));
        row(`hooks.${event} (${hooks.length})`, feature(`claude.hook.${event}`, "not an event mini-claude knows"));
        for (const hook of hooks) {
          if (hook?.type !== "command") row(`  a "${hook?.type}" hook`, feature("claude.hook.type.prompt"));
          else if (typeof hook.command === "string") {
            for (const found of hookFindings(hook.command, workspace)) rows.push({ source: place.shown, item: `  ${found.where}`, status: "flagged", why: found.problem });
          }
        }
      }
    } else if (key === "permissions" && value && typeof value === "object") {
      for (const [rule, list] of Object.entries(value as Record<string, unknown>)) {
        row(`permissions.${rule}${Array.isArray(list) ? ` (${list.length})` : ""}`, feature(`claude.settings.permissions.${rule}`));
      }
    } else {
      row(key, feature(`claude.settings.${key}`));
    }
  }
  return rows;
}

/** One row per command file: works, or partly/ignored by its worst feature. */
export function claudeCommandRows(place: Place): Row[] {
  return filesUnder(place.path, ".md").map((file) => {
    const item = `/${file.name.replace(/\//g, ":")}`;
    const text = readCapped(file.path, 256 * 1024)?.bytes.toString("utf8") ?? "";
    const { fields, body } = parseFrontMatter(text);
    const rules = commandRules(fields["allowed-tools"]);
    const commands = findInlineCommands(body, "markdown");
    const uncovered = commands.find((command) => !covers(rules, command.command));
    if (uncovered) return { source: place.shown, item, status: "ignored" as const, why: `${uncovered.token} is not covered by its allowed-tools (${describeRules(rules)}): refused` };
    // With commands, allowed-tools is what lets them run: the !cmd line says all there is.
    const keys = Object.keys(fields).filter((key) => !(commands.length && key === "allowed-tools"));
    const parts = keys.map((key) => ({ key, ...feature(`claude.command.${key}`, "not read") }));
    if (commands.length) parts.push({ key: "!`cmd`", ...feature("claude.command.!cmd") });
    const why = parts.filter((part) => part.status !== "works").map((part) => `${part.key}: ${part.why}`);
    return { source: place.shown, item, status: worst(parts), why: why.join("; ") || undefined };
  });
}

export function claudeAgentRows(place: Place): Row[] {
  const agents = filesUnder(place.path, ".md");
  return agents.length ? [{ source: place.shown, item: `${agents.length} agent${agents.length === 1 ? "" : "s"}`, ...feature("claude.agents") }] : [];
}

export function claudeSkillRows(place: Place): Row[] {
  let entries;
  try {
    entries = readdirSync(place.path, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  } catch {
    return [];
  }
  return entries.map((entry) => {
    const read = readCapped(join(place.path, entry.name, "SKILL.md"), 64 * 1024);
    if (!read) return { source: place.shown, item: entry.name, status: "ignored" as const, why: "no SKILL.md" };
    const { fields } = parseFrontMatter(read.bytes.toString("utf8"));
    const item = `/${fields.name || entry.name}`;
    if (!fields.description) return { source: place.shown, item, ...feature("claude.skill.no-description") };
    const parts: Feature[] = [feature("claude.skill")];
    if (fields.description.length > 1024) parts.push(feature("claude.skill.description-over-limit"));
    if (fields["allowed-tools"]) parts.push(feature("claude.skill.allowed-tools"));
    const why = parts.filter((part) => part.status !== "works").map((part) => part.why);
    return { source: place.shown, item, status: worst(parts), why: why.join("; ") || undefined };
  });
}

/** works < partly < ignored: a file is as good as its weakest part, but one ignored key leaves the rest working. */
export function worst(parts: Feature[]): Row["status"] {
  if (parts.every((part) => part.status === "works")) return "works";
  return parts.some((part) => part.status === "works") || parts.some((part) => part.status === "partly") ? "partly" : "ignored";
}
