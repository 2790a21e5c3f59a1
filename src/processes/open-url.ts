import { spawn } from "node:child_process";

/**
 * Opens a web page for the person: with $BROWSER when set (as git and gh do), else the platform's
 * opener (open, xdg-open when there is a display, start). The caller always prints the URL too,
 * because an opener can succeed without a browser ever appearing (a headless box, an SSH session).
 *
 * Contract: resolves to the command used, or undefined when there was none to try; never rejects.
 */
export function openUrl(url: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const command = opener(env);
  if (!command) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    try {
      // The URL is one argument, never shell text: a server chose it.
      const child = spawn(command[0], [...command.slice(1), url], { stdio: "ignore", detached: true });
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

function opener(env: NodeJS.ProcessEnv): string[] | undefined {
  const browser = env.BROWSER?.split(":")[0]?.trim();
  if (browser) return browser.split(/\s+/);
  if (process.platform === "darwin") return ["open"];
  if (process.platform === "win32") return ["cmd", "/c", "start", ""];
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ["xdg-open"] : undefined;
}
