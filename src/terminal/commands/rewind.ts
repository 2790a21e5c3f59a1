/**
 * /rewind, /undo and --print --rewind-last: the person's side of rewind (src/session/rewind/). Lists the
 * session's turns with the files each changed, shows the diff of what a rewind will restore and
 * asks first; files changed outside mini-claude since are listed and left alone unless the person
 * confirms a second question. --rewind-last cannot ask: it restores what is safe and lists the rest.
 */
import type { Config } from "../../config/config.js";
import type { Conversation } from "../../loop/conversation.js";
import { RewindRecorder } from "../../session/rewind/recorder.js";
import { applyRestore, contentOf, listTurns, planRestore, type FileRestore, type RestorePlan, type TurnSummary } from "../../session/rewind/restore.js";
import type { FileChange } from "../../session/rewind/snapshot.js";
import { renderDiff } from "../render/diff.js";
import { textOf } from "../../text.js";

export interface RewindIO {
  say(text: string): void;
  /** Text our renderer made (a coloured diff of sanitised lines), written as it is. */
  sayRendered(text: string): void;
  /** A yes/no question; null when the person interrupted it. */
  ask(question: string): Promise<string | null>;
  color: boolean;
}

const MODES = ["both", "files", "conversation"] as const;
type Mode = (typeof MODES)[number];

/** `/rewind` (list), `/rewind N [files|conversation]`, or `/undo` (the last turn, files and conversation). */
export async function rewindCommand(argument: string, conversation: Conversation, io: RewindIO, undo = false): Promise<void> {
  const recorder = conversation.recorder;
  if (!recorder) return io.say("Rewind is not recording in this session.");
  const records = recorder.records();
  const session = recorder.options.session?.();
  const turns = listTurns(records, (t) => t.run === recorder.run || (session !== undefined && t.session === session));
  if (!turns.length) return io.say("Nothing to rewind: no request in this session yet.");
  const [which, modeWord] = argument.trim().split(/\s+/).filter(Boolean);
  if (!undo && !which) {
    io.say(turns.map((turn, i) => `${String(i + 1).padStart(3)}. ${describeTurn(turn)}`).join("\n"));
    return io.say("Restore to before one: /rewind N [files|conversation] (default both); /undo is the last turn.");
  }
  const number = undo ? turns.length : Number(which);
  const mode = (modeWord ?? "both") as Mode;
  if (!Number.isInteger(number) || number < 1 || number > turns.length || !MODES.includes(mode)) {
    return io.say(`Usage: /rewind N [files|conversation], with N from 1 to ${turns.length}; /rewind alone lists them.`);
  }
  const turn = turns[number - 1];
  const runs = new Set(turns.map((t) => t.run));
  const plan: RestorePlan = mode === "conversation" ? { files: [], conflicts: [], missing: [] } : planRestore(records, turn, runs, recorder.options.root, recorder.store);
  const withConversation = mode !== "files";
  const conversationOk = withConversation && messageStillThere(conversation, turn);
  for (const file of plan.files) {
    const before = contentOf(recorder.store, recorder.options.root, file.path, file.current, true);
    const after = contentOf(recorder.store, recorder.options.root, file.path, file.target, false);
    io.sayRendered(renderDiff(before, after, file.path, { color: io.color }) || `${file.path}: ${file.target ? "restored" : "removed"}`);
  }
  if (plan.missing.length) io.say(`Cannot restore (their earlier content was pruned): ${plan.missing.join(", ")}`);
  if (plan.conflicts.length) io.say(`Changed outside mini-claude since: ${plan.conflicts.map((f) => f.path).join(", ")} (left alone unless you confirm).`);
  if (withConversation && !conversationOk) io.say("The conversation can no longer go back there (it was compacted or cleared since); only files are restored.");
  const parts = [plan.files.length ? `${plan.files.length} file${plan.files.length === 1 ? "" : "s"}` : "", conversationOk ? "the conversation" : ""].filter(Boolean);
  if (!parts.length && !plan.conflicts.length) return io.say(`Nothing to restore before "${short(turn.typed ?? turn.prompt)}".`);
  let files = plan.files;
  if (parts.length) {
    const answer = await io.ask(`Restore ${parts.join(" and ")} to before "${short(turn.typed ?? turn.prompt)}"? [y/n] `);
    if (!answer || !/^y(es)?$/i.test(answer.trim())) return io.say("Nothing restored.");
  }
  if (plan.conflicts.length) {
    const answer = await io.ask(`Overwrite the ${plan.conflicts.length} file(s) changed outside too? [y/N] `);
    if (answer && /^y(es)?$/i.test(answer.trim())) files = [...files, ...plan.conflicts];
  }
  const failed = applyRestore(files, recorder.options.root, recorder.store);
  const done = files.filter((f) => !failed.some((line) => line.startsWith(`${f.path}:`)));
  if (conversationOk) conversation.rewindTo(turn.historyIndex, turn.prompt);
  await recorder.recordRewind(turn.index, restoredChanges(done));
  for (const line of failed) io.say(`Could not restore ${line}`);
  io.say(`Restored ${done.length} file${done.length === 1 ? "" : "s"}${conversationOk ? " and the conversation" : ""} to before "${short(turn.typed ?? turn.prompt)}".`);
}

/**
 * --print --rewind-last: undo the file changes of this workspace's last run. Prints what it did on
 * stdout; files changed outside since are listed and left alone. Returns the exit code.
 */
export async function rewindLastRun(config: Config, out: (text: string) => void): Promise<number> {
  const recorder = new RewindRecorder({ root: config.workspace, dataDir: config.dataDir, maxBytes: config.rewindMaxBytes });
  const records = recorder.records();
  const last = [...records].reverse().find((r) => r.type === "change" && r.tool !== "rewind");
  if (!last) {
    out("Nothing to rewind: no recorded run changed files in this workspace.");
    return 0;
  }
  const turns = listTurns(records, (t) => t.run === last.run);
  if (!turns.length) {
    out("Nothing to rewind: the last run's turns were already rewound.");
    return 0;
  }
  const plan = planRestore(records, turns[0], new Set([last.run]), config.workspace, recorder.store);
  const failed = applyRestore(plan.files, config.workspace, recorder.store);
  await recorder.recordRewind(turns[0].index, restoredChanges(plan.files));
  for (const file of plan.files) out(`${file.target ? (file.expected ? "restored" : "recreated") : "removed"} ${file.path}`);
  for (const line of failed) out(`could not restore ${line}`);
  for (const file of plan.conflicts) out(`left alone (changed since the run): ${file.path}`);
  for (const path of plan.missing) out(`cannot restore (pruned): ${path}`);
  return failed.length || plan.conflicts.length || plan.missing.length ? 1 : 0;
}

function describeTurn(turn: TurnSummary): string {
  const parts = [
    turn.created.length ? `created ${turn.created.join(", ")}` : "",
    turn.modified.length ? `modified ${turn.modified.join(", ")}` : "",
    turn.deleted.length ? `deleted ${turn.deleted.join(", ")}` : "",
  ].filter(Boolean);
  return `"${short(turn.typed ?? turn.prompt)}"${parts.length ? ` — ${parts.join("; ")}` : " — no file changes"}`;
}

function messageStillThere(conversation: Conversation, turn: TurnSummary): boolean {
  const message = conversation.messages[turn.historyIndex];
  return message?.role === "user" && textOf(message.content).endsWith(turn.prompt);
}

function restoredChanges(files: FileRestore[]): FileChange[] {
  return files.map((f) => ({ path: f.path, before: f.current, after: f.target }));
}

function short(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
