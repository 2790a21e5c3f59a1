import { isSummary, type CompactionState } from "../context/compaction.js";
import type { Config } from "../config/config.js";
import type { Message } from "../model/history.js";
import { findSession, latestSession, listSessions, SessionLookupError, Transcript, type HistoryEvent } from "./transcript.js";import { UsageError } from "../config/args.js";
import { isImageOnly } from "../model/image-parts.js";

/**
 * Which transcript a run writes to (a new one, the latest of this workspace for --continue, or
 * the one --resume ID names) and the history it brings back; the list --resume prints without an
 * id. transcript.ts owns the file format; this file owns the choices around it.
 */

export interface OpenedTranscript {
  /** The repaired history of a resumed session, without the system message. */
  history?: Message[];
  /** What the resumed session's compactions carried over. */
  compaction?: CompactionState;
  /** One line for the banner: what was resumed, or why nothing was. */
  note?: string;
  /**
   * The listener on the conversation's event sink: records each message, the context a compaction
   * or rewind left (to resume from), and after /clear starts a new transcript; other events pass.
   * A failing disk costs one warning (through `warn`), never a turn.
   */
  record(event: HistoryEvent | { type: string }): void;
  /** The id to pass to --resume for the current transcript; undefined once the disk failed. */
  readonly sessionId: string | undefined;
  /** The current transcript's file (written from the first message on); undefined once the disk failed. */
  readonly transcriptPath: string | undefined;
  /** The session's id (rewind lists this session's turns). */
  id(): string | undefined;
}

/** Contract: throws UsageError for an unknown, ambiguous or foreign --resume id; never anything else for bad input. */
export function openTranscript(config: Config, warn: (line: string) => void): OpenedTranscript {
  const fresh = () => Transcript.create(config.dataDir, config.workspace, { model: config.model ?? "" });
  const { transcript, history, compaction, note } = pick(config, fresh, warn);
  let current: Transcript | undefined = transcript;
  const safely = (write: (transcript: Transcript) => void) => {
    try {
      if (current) write(current);
    } catch (error) {
      current = undefined;
      warn(`cannot write the session transcript (${(error as Error).message}); continuing without it.`);
    }
  };
  return {
    history,
    compaction,
    note,
    record: (any) => {
      const event = any as HistoryEvent;
      if (event.type === "message") safely((t) => t.append(event.message));
      else if (event.type === "context") safely((t) => t.recordCompaction(event.messages, event.state));
      else if (event.type === "cleared" && current) current = fresh();
    },
    get sessionId() {
      return current?.id;
    },
    get transcriptPath() {
      return current?.path;
    },
    id: () => current?.id,
  };
}

function pick(config: Config, fresh: () => Transcript, warn: (line: string) => void): { transcript: Transcript; history?: Message[]; compaction?: CompactionState; note?: string } {
  // -c with --resume ID: the id names one session, so it wins over "the latest".
  const continueLatest = config.continueLatest && !config.resume;
  const latest = continueLatest ? latestSession(config.dataDir, config.workspace) : undefined;
  if (continueLatest && !latest) return { transcript: fresh(), note: "No earlier session in this workspace; starting a new one." };
  const id = latest?.id ?? (config.resume ? findInWorkspace(config) : undefined);
  if (!id) return { transcript: fresh() };
  const { transcript, messages, compaction, skipped } = Transcript.open(config.dataDir, id);
  if (skipped > 0) warn(`skipped ${skipped} unreadable line${skipped === 1 ? "" : "s"} of ${transcript.path}; the rest of the session is resumed.`);
  const turns = (compaction?.requests.length ?? 0) + messages.filter((m) => m.role === "user" && !isSummary(m) && !isImageOnly(m)).length;
  return { transcript, history: messages, compaction, note: `Resumed session ${id} (${turns} earlier request${turns === 1 ? "" : "s"}).` };
}

function findInWorkspace(config: Config): string {
  try {
    const found = findSession(config.dataDir, config.resume!);
    if (found.workspace !== config.workspace) {
      throw new UsageError(`Session ${found.id} belongs to ${found.workspace}; run from there, or pass -w ${found.workspace}.`);
    }
    return found.id;
  } catch (error) {
    if (error instanceof SessionLookupError) throw new UsageError(error.message);
    throw error;
  }
}

/** `--resume` without an id: this workspace's sessions, newest first, and how to resume one. */
export function sessionListText(config: Config): string {
  const sessions = listSessions(config.dataDir, config.workspace);
  if (sessions.length === 0) return `No sessions yet for ${config.workspace}.\n`;
  const rows = sessions
    .slice(0, 20)
    .map((s) => `${s.id}  ${s.updatedAt.slice(0, 16).replace("T", " ")}  ${String(s.messageCount).padStart(3)} msgs  ${s.firstPrompt}\n`);
  return `${rows.join("")}Resume one with: mini-claude --resume ID (a unique prefix is enough)\n`;
}
