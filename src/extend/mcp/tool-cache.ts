import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { replaceFileSync } from "../../safe-write.js";
import type { ServerConfig } from "./config.js";
import type { RemoteTool } from "./server.js";
import { serverIdentity } from "./trust.js";

/**
 * What each local (stdio) server offered at its last start: its tools and instructions, kept in the
 * data folder (out of the sandbox's reach, so no command can plant tools here). With it the first
 * request need not wait for a server's own start, often most of a second of Node start-up: the
 * model is offered the remembered tools while the server starts beside the request, and a call
 * waits for it. Keyed by everything that decides what runs (trust.ts's identity, the scripts it
 * names included) and which tools are kept, so a changed server is started and listed afresh.
 */

export interface KnownTools {
  tools: RemoteTool[];
  instructions?: string;
}

/** Entries kept: the servers of a few projects, not an ever-growing file. */
const MAX_ENTRIES = 64;

export class ToolCache {
  private readonly file: string;
  private entries?: Record<string, KnownTools>;

  constructor(dataDir: string) {
    this.file = join(dataDir, "mcp-tools.json");
  }

  /** The tools `config` offered at its last start in `workspace`, or undefined. */
  get(config: ServerConfig, workspace: string): KnownTools | undefined {
    if (config.transport !== "stdio") return undefined;
    const known = this.read()[keyOf(config, workspace)];
    return known && Array.isArray(known.tools) ? known : undefined;
  }

  /** Remember what a server offers now. Contract: never throws; an unwritable folder only means waiting next time. */
  set(config: ServerConfig, workspace: string, known: KnownTools): void {
    if (config.transport !== "stdio") return;
    const entries = this.read();
    const key = keyOf(config, workspace);
    if (JSON.stringify(entries[key]) === JSON.stringify(known)) return;
    delete entries[key];
    entries[key] = known;
    const kept = Object.fromEntries(Object.entries(entries).slice(-MAX_ENTRIES));
    this.entries = kept;
    try {
      mkdirSync(join(this.file, ".."), { recursive: true });
      replaceFileSync(this.file, JSON.stringify(kept), 0o600);
    } catch {
      // The next session waits for the server, as without a cache.
    }
  }

  private read(): Record<string, KnownTools> {
    if (this.entries) return this.entries;
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8")) as unknown;
      this.entries = data && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, KnownTools>) : {};
    } catch {
      this.entries = {};
    }
    return this.entries;
  }
}

function keyOf(config: ServerConfig, workspace: string): string {
  const identity = serverIdentity(config, workspace);
  return createHash("sha256").update(JSON.stringify([workspace, identity, config.includeTools, config.excludeTools])).digest("hex");
}
