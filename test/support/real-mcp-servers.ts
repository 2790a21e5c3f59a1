import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The published MCP servers the tests run (devDependencies, so nothing is fetched at test time):
 * their entry points, and .mcp.json entries for them in a temp workspace.
 */

const entry = (pkg: string) => fileURLToPath(new URL(`../../node_modules/@modelcontextprotocol/${pkg}/dist/index.js`, import.meta.url));

export const EVERYTHING = entry("server-everything");
export const MEMORY = entry("server-memory");
export const FILESYSTEM = entry("server-filesystem");

/** stdio entries for server-everything, server-memory (its graph in `dir`) and server-filesystem (allowed: `root`). */
export function realServers(root: string, dir: string): Record<string, { command: string; args: string[]; env?: Record<string, string> }> {
  mkdirSync(dir, { recursive: true });
  return {
    everything: { command: process.execPath, args: [EVERYTHING, "stdio"] },
    memory: { command: process.execPath, args: [MEMORY], env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") } },
    files: { command: process.execPath, args: [FILESYSTEM, root] },
  };
}
