import type { Config } from "../../config/config.js";
import { sessionListText } from "../../session/resume.js";
import { showControls } from "../../sanitize.js";

/**
 * `--resume` without an id: print this workspace's sessions. Each row quotes the first request of a
 * session, which may have been pasted from anywhere, so its controls are shown, never sent.
 */
export function printSessionList(config: Config): void {
  process.stdout.write(showControls(sessionListText(config), "\n"));
}
