import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { namedFilesDigest } from "../named-files.js";
import { replaceFileSync } from "../../safe-write.js";
import { commandLine, type ServerConfig } from "./config.js";

/**
 * Which project MCP servers the person has approved. Kept in the user's config folder, outside any
 * workspace, so a project cannot approve itself; keyed by the workspace and everything that decides
 * what runs (serverIdentity()), so a changed command, environment, folder, header or script the
 * command names (or the same name in another project) asks again.
 */
export class TrustStore {
  private readonly file: string;

  constructor(configDir: string) {
    this.file = join(configDir, "mcp-trust.json");
  }

  isTrusted(workspace: string, commandLine: string): boolean {
    return this.read().includes(key(workspace, commandLine));
  }

  /** Remember the approval. Contract: never throws; an unwritable config folder only means asking again next time. */
  trust(workspace: string, commandLine: string): void {
    const keys = new Set(this.read());
    keys.add(key(workspace, commandLine));
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      replaceFileSync(this.file, `${JSON.stringify({ trusted: [...keys] }, null, 2)}\n`, 0o600);
    } catch {
      // Asked again next session.
    }
  }

  private read(): string[] {
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8")) as { trusted?: unknown };
      return Array.isArray(data.trusted) ? data.trusted.filter((item): item is string => typeof item === "string") : [];
    } catch {
      return [];
    }
  }
}

/**
 * What the person trusts when they trust a server: its command line or URL, its environment, its
 * working folder and headers, and the content of every workspace file the command names.
 */
export function serverIdentity(server: ServerConfig, workspace: string): string {
  if (server.transport !== "stdio") return JSON.stringify({ url: server.url, headers: server.headers });
  const line = commandLine(server);
  return JSON.stringify({ line, env: server.env, cwd: server.cwd, files: namedFilesDigest(line, workspace, server.cwd || workspace) });
}

function key(workspace: string, commandLine: string): string {
  return createHash("sha256").update(`${workspace}\u0000${commandLine}`).digest("hex");
}
