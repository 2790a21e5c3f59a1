import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "./args.js";

/**
 * `--mcp-config '{"mcpServers":{…}}'`: Claude Code takes the JSON itself where a file is expected,
 * and the Agent SDK passes it that way. The MCP loader reads files, so the JSON is written to a
 * private file (the servers' env may hold keys) that is removed when the process exits.
 * Contract: throws UsageError for text that is not JSON.
 */
export function inlineMcpConfigFile(json: string): string {
  try {
    JSON.parse(json);
  } catch (error) {
    throw new UsageError(`--mcp-config: neither a file nor valid JSON (${(error as Error).message.split("\n")[0]}).`);
  }
  const dir = mkdtempSync(join(tmpdir(), "mini-claude-mcp-"));
  const file = join(dir, "mcp-config.json");
  writeFileSync(file, json, { mode: 0o600 });
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return file;
}
