import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { OAuthClientInformationMixed, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { replaceFileSync } from "../../safe-write.js";

/**
 * The OAuth state of remote MCP servers, one entry per server URL: the registered client and the
 * tokens. Kept in the data folder (where the sessions are, which the
 * sandbox keeps from commands), in a file only its owner can read (0600). It is read again
 * whenever the file changed (the SDK asks for the tokens at every HTTP message), so two sessions
 * that refresh the same server see each other's tokens.
 */

export interface StoredTokens extends OAuthTokens {
  /** When the access token expires (ms since the epoch), from `expires_in` at the time it was saved. */
  expires_at?: number;
}

export interface ServerAuth {
  client?: OAuthClientInformationMixed;
  tokens?: StoredTokens;
}

export class TokenStore {
  readonly file: string;
  /** The file as last read, and the stamp (mtime and size) it had then. */
  private last?: { stamp: string; servers: Record<string, ServerAuth> };

  constructor(dataDir: string) {
    this.file = join(dataDir, "mcp-oauth.json");
  }

  get(url: string): ServerAuth {
    return this.read()[url] ?? {};
  }

  /** Merge `change` into the server's entry (a field set to undefined is removed). */
  update(url: string, change: Partial<ServerAuth>): void {
    const all = this.read();
    const entry = { ...all[url], ...change };
    for (const key of Object.keys(entry) as (keyof ServerAuth)[]) if (entry[key] === undefined) delete entry[key];
    if (Object.keys(entry).length) all[url] = entry;
    else delete all[url];
    this.write(all);
  }

  /** Forget everything about the server (logout). True when there was something to forget. */
  remove(url: string): boolean {
    const all = this.read();
    if (!all[url]) return false;
    delete all[url];
    this.write(all);
    return true;
  }

  private read(): Record<string, ServerAuth> {
    let stamp: string;
    try {
      const { mtimeMs, size } = statSync(this.file);
      stamp = `${mtimeMs}:${size}`;
    } catch {
      return {};
    }
    if (this.last?.stamp !== stamp) this.last = { stamp, servers: this.parse() };
    // A copy: update() changes what it gets before writing it.
    return { ...this.last.servers };
  }

  private parse(): Record<string, ServerAuth> {
    try {
      const data = JSON.parse(readFileSync(this.file, "utf8")) as { servers?: Record<string, ServerAuth> };
      return data.servers && typeof data.servers === "object" ? data.servers : {};
    } catch {
      return {};
    }
  }

  private write(servers: Record<string, ServerAuth>): void {
    if (Object.keys(servers).length === 0) {
      rmSync(this.file, { force: true });
      return;
    }
    mkdirSync(dirname(this.file), { recursive: true });
    replaceFileSync(this.file, `${JSON.stringify({ servers }, null, 2)}\n`, 0o600);
  }
}
