import { spawn } from "node:child_process";
import { onPath } from "./on-path.js";

/**
 * Opening a web page for the person (an MCP login, an elicitation's URL): `$BROWSER` when set (as
 * git and gh do: a command, the URL appended), else the platform's opener (`open` on macOS,
 * `xdg-open` on Linux with a display, `start` on Windows). The caller always prints the URL too,
 * because an opener can succeed without a browser ever appearing (a headless box, an SSH session).
 */

/** The command that would open a page, or undefined when there is none (then only the printed URL helps). */
export function browserCommand(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const configured = env.BROWSER?.split(":")[0]?.trim();
  if (configured) return configured.split(/\s+/);
  if (process.platform === "darwin") return ["open"];
  if (process.platform === "win32") return ["cmd", "/c", "start", ""];
  if ((env.DISPLAY || env.WAYLAND_DISPLAY) && onPath("xdg-open", env.PATH ?? "")) return ["xdg-open"];
  return undefined;
}

/** Contract: resolves to the command used, or undefined when there was none or it could not start; never rejects. */
export function openUrl(url: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const command = browserCommand(env);
  if (!command) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    try {
      // The URL is one argument, never shell text: a server chose it.
      const child = spawn(command[0], [...command.slice(1), url], { stdio: "ignore", detached: true, env });
      child.once("error", () => resolve(undefined));
      child.once("spawn", () => {
        child.unref();
        resolve(command[0]);
      });
    } catch {
      resolve(undefined);
    }
  });
}
