import { existsSync, realpathSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "./args.js";
import { readCapped } from "../read-capped.js";

/** A .env is a few lines; anything bigger is not one. */
const MAX_ENV_FILE_BYTES = 256 * 1024;

/**
 * Which files may configure mini-claude, and which never may.
 *
 * The endpoint and key are the person's: they come from flags, the environment, the user config
 * folder and the `.env` of mini-claude's own folder (the clone `npm start` runs in). A `.env` in the
 * project under work is written by whoever wrote the project (a cloned repository, a PR branch, the
 * model itself), so it never chooses where the key is sent.
 */

/** The variables that choose the endpoint, the key or the model. */
export const ENDPOINT_VARS = ["OPENAI_BASE_URL", "OPENAI_API_KEY", "DEEPSEEK_API_KEY", "MINI_CLAUDE_MODEL"] as const;

/**
 * The folder holding mini-claude's own package.json: the clone or the installed package. Found from
 * this module's location (src/ under vitest and tsx, dist/ in the bundle), never from the current
 * folder, so a project cannot pose as it.
 */
export function ownFolder(moduleUrl = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let hops = 0; hops < 4; hops++) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/**
 * The home folder, only when something needs it. os.homedir() throws for a user with no passwd
 * entry and no HOME, which must be one clear line, not a stack trace.
 */
export function homeFolder(env: NodeJS.ProcessEnv): string {
  if (env.HOME) return env.HOME;
  try {
    return homedir();
  } catch {
    throw new UsageError("HOME is not set and this user has no home folder; set HOME, or MINI_CLAUDE_HOME for mini-claude's own files.");
  }
}

/** True when both name the same folder (after symlinks). */
export function sameFolder(a: string, b: string): boolean {
  return real(a) === real(b);
}

/**
 * dotenv's parse only (it never prints, unlike config()); loaded only when a file exists. Only a
 * regular file is read, capped: a project's `.env` that is a FIFO or /dev/zero must not hang start-up.
 */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  const file = readCapped(real(path), MAX_ENV_FILE_BYTES);
  if (!file) return {};
  const text = file.bytes;
  // `.default` is module.exports both for Node's own import of CommonJS and in the bundle.
  const dotenv = await import("dotenv");
  return dotenv.default.parse(text);
}

/**
 * One note per project `.env` (the workspace's, the current folder's) that tries to set the
 * endpoint, key or model: those lines are ignored, and the person should know why. The trusted
 * `.env` of mini-claude's own folder is never reported, even when the current folder is that clone.
 */
export async function ignoredProjectSettings(folders: string[], trusted: string[]): Promise<string[]> {
  const trustedReal = new Set(trusted.map(real));
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const folder of folders) {
    const path = join(folder, ".env");
    const key = real(path);
    if (seen.has(key) || trustedReal.has(key)) continue;
    seen.add(key);
    const vars = await readEnvFile(path);
    const named = ENDPOINT_VARS.filter((name) => vars[name] !== undefined && vars[name] !== "");
    if (named.length === 0) continue;
    notes.push(
      `ignored ${named.join(", ")} from ${path}: a project's .env never chooses the endpoint or key ` +
        "(set them in the environment or ~/.config/mini-claude/.env).",
    );
  }
  return notes;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
