import type { AgentEvent } from "../../loop/agent.js";
import { readCapped } from "../../read-capped.js";
import { resolveInWorkspace } from "../../workspace.js";
import { renderDiff } from "../render/diff.js";

/**
 * What this session changed in the workspace, for /diff: each file the tools edited or wrote,
 * from its content before the first change to its content on disk now (so a later change by a
 * command shows too). Files a shell command alone changed are not known here; git can say.
 */

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_DIFF_LINES = 400;

export class SessionChanges {
  /** Workspace path → its content before the session first changed it. */
  private readonly before = new Map<string, string>();

  constructor(private readonly root: string) {}

  /** Feed every agent event; only successful file changes are kept. */
  record(event: AgentEvent): void {
    if (event.type !== "tool_end" || !event.ok || !event.diff) return;
    if (!this.before.has(event.diff.path)) this.before.set(event.diff.path, event.diff.before);
  }

  /** The unified diff of everything changed, or a sentence when nothing was. */
  render(color: boolean): string {
    const parts: string[] = [];
    for (const [path, before] of this.before) {
      const diff = renderDiff(before, this.current(path), path, { color, maxLines: MAX_DIFF_LINES });
      if (diff) parts.push(diff);
    }
    if (!parts.length) return "No file changes by the tools in this session (a shell command's changes are not tracked: try git diff).";
    return parts.join("\n\n");
  }

  private current(path: string): string {
    try {
      return readCapped(resolveInWorkspace(this.root, path), MAX_FILE_BYTES)?.bytes.toString("utf8") ?? "";
    } catch {
      return "";
    }
  }
}
