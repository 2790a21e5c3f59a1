import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync, truncateSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { CompactionState } from "../context/compaction.js";
import { repairHistory } from "../model/history.js";
import { jsonOf } from "../model/json-cache.js";
import { appendPrivate, ensurePrivateDir, makePrivate } from "../private-files.js";
import { isHeader, isMessage, markTyped, typedOf, type SessionHeader } from "./records.js";
import { oneLine, textOf } from "../text.js";

/**
 * Session transcripts: one JSONL file per conversation under `<dataDir>/sessions/<id>.jsonl`.
 * Line 1 is a header record, every later line one chat message, written the moment it exists so
 * that a crash or kill -9 loses at most the message being written. The system message is never
 * stored: it is rebuilt at start from the current workspace and instructions.
 *
 * A compaction adds a `compaction` record holding the whole compacted context (and what the
 * harness carries over, see compaction.ts). Resuming starts from the latest such record plus the
 * messages after it; the raw messages before it stay in the file for the person.
 */

export const SESSION_FORMAT_VERSION = 1;

export interface SessionSummary {
  id: string;
  workspace: string;
  startedAt: string;
  updatedAt: string;
  messageCount: number;
  /** First user prompt on one line, cut to 80 characters; "" when there is none yet. */
  firstPrompt: string;
}

/**
 * The history's changes, as the conversation's event sink carries them (loop/events.ts): what a
 * transcript records. `context`: a compaction or a rewind made the context these messages
 * (without the system message); `cleared`: /clear started a new conversation.
 */
export type HistoryEvent =
  | { type: "message"; message: ChatCompletionMessageParam }
  | { type: "context"; messages: ChatCompletionMessageParam[]; state: CompactionState }
  | { type: "cleared" };

/** A session id or prefix that names no session, or more than one; the message says what to do. */
export class SessionLookupError extends Error {}

/** One session's transcript: `<dataDir>/sessions/<id>.jsonl` (dataDir comes from config.ts). */
export class Transcript {
  /** `written`: the header is on disk; the file is created by the first message, not before. */
  private constructor(
    readonly header: SessionHeader,
    readonly path: string,
    private written: boolean,
  ) {}

  get id(): string {
    return this.header.id;
  }

  /**
   * Contract: allocates a new id; nothing touches the disk until the first `append`, so a REPL
   * opened and closed without a prompt leaves no empty session for `--continue` to pick.
   */
  static create(dataDir: string, workspace: string, meta: { model: string }, now = new Date()): Transcript {
    const id = newSessionId(now);
    const header: SessionHeader = {
      type: "session",
      id,
      workspace,
      model: meta.model,
      startedAt: now.toISOString(),
      version: SESSION_FORMAT_VERSION,
    };
    return new Transcript(header, sessionPath(dataDir, id), false);
  }

  /**
   * Contract: loads session `id` for resuming. The returned messages are already repaired
   * (see `repairHistory`), so they can be sent as they are. A torn last line is dropped and cut
   * from the file, so later appends start on a clean line. Any other unreadable line (not JSON, or
   * not a message the API would accept) is left out and counted in `skipped`. Throws
   * SessionLookupError when the file is missing or has no readable header.
   */
  static open(dataDir: string, id: string): { transcript: Transcript; messages: ChatCompletionMessageParam[]; compaction?: CompactionState; skipped: number } {
    const path = sessionPath(dataDir, id);
    let parsed: ParsedFile;
    try {
      parsed = parseFile(readFileSync(path, "utf8"));
    } catch {
      throw new SessionLookupError(`No session ${id} in ${join(dataDir, "sessions")}; run with --resume to list them.`);
    }
    if (!parsed.header) throw new SessionLookupError(`Session file ${path} has no readable header; it cannot be resumed.`);
    if (parsed.tornTail === "cut") truncateSync(path, parsed.cleanBytes);
    if (parsed.tornTail === "newline") appendPrivate(path, "\n");
    makePrivate(path);
    const transcript = new Transcript(parsed.header, path, true);
    return { transcript, messages: repairHistory(parsed.context), compaction: parsed.compaction, skipped: parsed.skipped };
  }

  /**
   * Contract: synchronously appends one message line (with the header first, on the first call)
   * before returning. System messages are skipped. Throws on I/O failure: a transcript that
   * silently stops recording would break the "loses nothing" promise.
   */
  append(message: ChatCompletionMessageParam): void {
    if (message.role === "system") return;
    // What the person typed, where the message holds more (a hook's context): the lists show it.
    const typed = typedOf(message);
    const extra = typed !== undefined && typed !== message.content ? `,"typed":${JSON.stringify(typed)}` : "";
    // The same line as JSON.stringify({ type, message }), reusing the message's JSON made for the request.
    this.writeLine(`{"type":"message","message":${jsonOf(message)}${extra}}\n`);
  }

  /**
   * Contract: records that the context is now `messages` (without the system message), so that
   * --continue and --resume rebuild this compacted context. Throws on I/O failure, like append.
   */
  recordCompaction(messages: ChatCompletionMessageParam[], state: CompactionState): void {
    const context = messages.filter((m) => m.role !== "system");
    this.writeLine(JSON.stringify({ type: "compaction", at: new Date().toISOString(), state, messages: context }) + "\n");
  }

  private writeLine(line: string): void {
    if (this.written) {
      appendPrivate(this.path, line);
      return;
    }
    ensurePrivateDir(dirname(this.path), true);
    appendPrivate(this.path, JSON.stringify(this.header) + "\n" + line);
    this.written = true;
  }
}

/**
 * Contract: summaries of readable sessions, optionally only those of `workspace` (compared as
 * exact paths), most recently updated first. A missing sessions folder is an empty list; a file
 * that cannot be summarised is left out, so one bad transcript never hides the others.
 */
export function listSessions(dataDir: string, workspace?: string): SessionSummary[] {
  const dir = join(dataDir, "sessions");
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(".jsonl"));
  } catch {
    return [];
  }
  const summaries: SessionSummary[] = [];
  for (const name of names) {
    const summary = safely(() => summarize(join(dir, name)));
    if (summary && (workspace === undefined || summary.workspace === workspace)) summaries.push(summary);
  }
  return summaries.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id.localeCompare(a.id));
}

/** Contract: the most recently updated session of `workspace`, or undefined when it has none. */
export function latestSession(dataDir: string, workspace: string): SessionSummary | undefined {
  return listSessions(dataDir, workspace)[0];
}

/**
 * Contract: the session whose id equals `idOrPrefix`, else the only one whose id starts with it.
 * Throws SessionLookupError when none matches or the prefix is ambiguous (naming the candidates).
 */
export function findSession(dataDir: string, idOrPrefix: string): SessionSummary {
  const all = listSessions(dataDir);
  const exact = all.find((s) => s.id === idOrPrefix);
  if (exact) return exact;
  const matches = all.filter((s) => s.id.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    throw new SessionLookupError(`No session matches "${idOrPrefix}"; run with --resume to list them.`);
  }
  const shown = matches.slice(0, 5).map((s) => s.id).join(", ");
  throw new SessionLookupError(
    `"${idOrPrefix}" matches ${matches.length} sessions (${shown}${matches.length > 5 ? ", …" : ""}); give more of the id.`,
  );
}

function newSessionId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

function sessionPath(dataDir: string, id: string): string {
  if (!/^[\w-]+$/.test(id)) throw new SessionLookupError(`"${id}" is not a session id; run with --resume to list them.`);
  return join(dataDir, "sessions", `${id}.jsonl`);
}

interface ParsedFile {
  header?: SessionHeader;
  /** Every message ever appended, for the listing. */
  messages: ChatCompletionMessageParam[];
  /** What the model sees on resume: the latest compaction's context, then the messages after it. */
  context: ChatCompletionMessageParam[];
  compaction?: CompactionState;
  /** "cut": the last line is an unreadable fragment; "newline": it is whole but lacks its "\n". */
  tornTail?: "cut" | "newline";
  /** Byte length of the file up to and including its last newline. */
  cleanBytes: number;
  /** Non-empty lines that were not a header or a valid message (the torn tail not included). */
  skipped: number;
}

function parseFile(text: string): ParsedFile {
  const lastNewline = text.lastIndexOf("\n");
  const tail = text.slice(lastNewline + 1);
  const lines = text.slice(0, lastNewline + 1).split("\n");
  let tornTail: ParsedFile["tornTail"];
  if (tail) {
    tornTail = parseLine(tail) === undefined ? "cut" : "newline";
    if (tornTail === "newline") lines.push(tail);
  }
  const parsed: ParsedFile = { messages: [], context: [], tornTail, cleanBytes: Buffer.byteLength(text.slice(0, lastNewline + 1)), skipped: 0 };
  for (const line of lines) {
    if (!line.trim()) continue;
    const record = parseLine(line) as ({ type?: unknown; message?: unknown; messages?: unknown; state?: unknown } & Record<string, unknown>) | undefined;
    if (record?.type === "session" && !parsed.header && isHeader(record)) parsed.header = record;
    else if (record?.type === "message" && isMessage(record.message)) {
      if (typeof record.typed === "string") markTyped(record.message, record.typed);
      parsed.messages.push(record.message);
      parsed.context.push(record.message);
    } else if (record?.type === "compaction" && Array.isArray(record.messages) && record.messages.every(isMessage)) {
      parsed.context = [...(record.messages as ChatCompletionMessageParam[])];
      parsed.compaction = record.state as CompactionState;
    } else parsed.skipped++;
  }
  return parsed;
}

function parseLine(line: string): { type?: unknown; message?: unknown } | undefined {
  if (!line.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function summarize(path: string): SessionSummary | undefined {
  let text: string;
  let mtime: Date;
  try {
    text = readFileSync(path, "utf8");
    mtime = statSync(path).mtime;
  } catch {
    return undefined;
  }
  const { header, messages } = parseFile(text);
  if (!header) return undefined;
  const first = messages.find((m) => m.role === "user");
  return {
    id: header.id,
    workspace: header.workspace,
    startedAt: header.startedAt,
    updatedAt: mtime.toISOString(),
    messageCount: messages.length,
    firstPrompt: first ? oneLine(typedOf(first) ?? textOf(first.content, " "), 80) : "",
  };
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
