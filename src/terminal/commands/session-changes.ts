import type { AgentEvent } from "../../loop/agent.js";
import { readCapped } from "../../read-capped.js";
import type { RewindRecorder } from "../../session/rewind/recorder.js";
import { contentOf, firstContents } from "../../session/rewind/restore.js";
import { resolveInWorkspace } from "../../workspace.js";
import { renderDiff } from "../render/diff.js";

/**
 * What this session changed in the workspace, for /diff: each file from its content before the
 * session first changed it to its content on disk now. Built from rewind's log, the records /rewind
 * and /undo list, so a shell command's changes show as the file tools' do; where rewind does not
 * record (no writable data folder), from the file tools' own diffs.
 */

const MAX_FILE_BYTES = 2 * 1024 * 1024;
const MAX_DIFF_LINES = 400;

export class SessionChanges {
  /** Workspace path → its content before the session first changed it (the file tools' diffs). */
  private readonly before = new Map<string, string>();

  constructor(private readonly root: string) {}

  /** Feed every agent event; only successful file changes are kept. */
  record(event: AgentEvent): void {
    if (event.type !== "tool_end" || !event.ok || !event.diff) return;
    if (!this.before.has(event.diff.path)) this.before.set(event.diff.path, event.diff.before);
  }

  /** The unified diff of everything changed, or a sentence when nothing was. */
  render(color: boolean, recorder?: RewindRecorder): string {
    const before = recorder ? this.fromLog(recorder) : this.before;
    const parts: string[] = [];
    for (const [path, content] of before) {
      const diff = renderDiff(content ?? "", this.current(path), path, { color, maxLines: MAX_DIFF_LINES });
      if (diff) parts.push(diff);
    }
    if (parts.length) return parts.join("\n\n");
    return recorder
      ? "No file changes in this session."
      : "No file changes by the tools in this session (rewind is not recording here, so a shell command's changes are not known: try git diff).";
  }

  /** The session's runs (this one, and the earlier ones of a resumed session) as rewind logged them. */
  private fromLog(recorder: RewindRecorder): Map<string, string | undefined> {
    const records = recorder.records();
    const session = recorder.options.session?.();
    const runs = new Set([recorder.run]);
    for (const record of records) if (record.type === "turn" && session !== undefined && record.session === session) runs.add(record.run);
    const before = new Map<string, string | undefined>();
    for (const [path, hash] of firstContents(records, runs)) {
      // A pruned earlier content cannot be shown; the file is then left out rather than shown as all new.
      if (hash && !recorder.store.has(hash)) continue;
      before.set(path, contentOf(recorder.store, recorder.options.root, path, hash, false));
    }
    return before;
  }

  private current(path: string): string {
    try {
      return readCapped(resolveInWorkspace(this.root, path), MAX_FILE_BYTES)?.bytes.toString("utf8") ?? "";
    } catch {
      return "";
    }
  }
}
