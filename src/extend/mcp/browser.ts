import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Opening a URL in the person's browser: `$BROWSER` when set (as git and gh do: a command, the URL
 * appended), else the platform's opener (`open` on macOS, `xdg-open` on Linux with a display).
 * undefined when there is none: the caller still prints the URL.
 */
export function browserCommand(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const configured = env.BROWSER?.trim();
  if (configured) return configured.split(/\s+/);
  if (process.platform === "darwin") return ["open"];
  if (process.platform === "linux" && (env.DISPLAY || env.WAYLAND_DISPLAY) && onPath("xdg-open", env)) return ["xdg-open"];
  return undefined;
}

/** Start the browser on `url` and do not wait for it. False when there is no browser to start. */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const command = browserCommand(env);
  if (!command) return false;
  const child = spawn(command[0], [...command.slice(1), url], { stdio: "ignore", detached: true, env });
  child.on("error", () => undefined); // A $BROWSER that does not exist: the printed URL is the way.
  child.unref();
  return true;
}

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
