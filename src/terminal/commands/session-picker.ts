import { emitKeypressEvents } from "node:readline";
import type { SessionSummary } from "../../session/transcript.js";
import { showControls } from "../../sanitize.js";
import { fitLine } from "../render/tool-lines.js";

/**
 * `--resume` with no id on a terminal: the workspace's sessions, newest first, one per line (its
 * first request, age and size); ↑/↓ move, Enter resumes, Esc, q or Ctrl-C leaves. Resolves to the
 * chosen id, or undefined.
 */

const SHOWN = 15;

export function pickSession(sessions: SessionSummary[], now = Date.now()): Promise<string | undefined> {
  const out = process.stdout;
  const rows = sessions.slice(0, SHOWN).map((s) => `${age(now - Date.parse(s.updatedAt)).padStart(4)}  ${String(s.messageCount).padStart(3)} msgs  ${showControls(s.firstPrompt) || "(no request yet)"}`);
  let selected = 0;
  let drawn = 0;
  const draw = () => {
    const lines = ["Resume which session? ↑/↓ to move, Enter to resume, Esc to leave.", ...rows.map((row, i) => fitLine(`${i === selected ? "›" : " "} ${row}`, out.columns))];
    out.write(`${drawn ? `\x1b[${drawn}A` : ""}\r\x1b[J${lines.map((line, i) => (i === selected + 1 ? `\x1b[7m${line}\x1b[27m` : line)).join("\n")}\n`);
    drawn = lines.length;
  };
  return new Promise((resolve) => {
    emitKeypressEvents(process.stdin);
    process.stdin.setRawMode?.(true);
    process.stdin.resume();
    const finish = (id: string | undefined) => {
      process.stdin.off("keypress", onKey);
      process.stdin.setRawMode?.(false);
      process.stdin.pause();
      resolve(id);
    };
    const onKey = (_: string, key: { name?: string; ctrl?: boolean }) => {
      if (key.name === "up") selected = (selected + rows.length - 1) % rows.length;
      else if (key.name === "down") selected = (selected + 1) % rows.length;
      else if (key.name === "return") return finish(sessions[selected].id);
      else if (key.name === "escape" || key.name === "q" || (key.ctrl && key.name === "c")) return finish(undefined);
      else return;
      draw();
    };
    process.stdin.on("keypress", onKey);
    draw();
  });
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.round(minutes / 1440)}d`;
}
