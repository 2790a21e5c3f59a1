import { showControls } from "../sanitize.js";
import type { ApprovalRequest } from "../tools/index.js";

/**
 * What the approval question shows: the action itself on lines of its own, then a short question.
 * The action is the model's text, so it is shown with every control character and invisible
 * character made visible (`\n`, `\x1b[2A`, `\u{202e}`): sixty newlines or a cursor-moving escape
 * cannot push `touch PWNED` out of sight and leave only `npm test` to read. A very long command is
 * shown by both ends with the count of what is left out between them, never by its tail alone.
 */

/** Commands up to this many characters are shown whole; longer ones by their head and tail. */
export const SHOWN_WHOLE_CHARS = 4000;
const HEAD_CHARS = 2400;
const TAIL_CHARS = 1200;

export interface ApprovalText {
  /** The action, already made safe for the terminal; printed above the question. */
  shown: string;
  /** One short line that ends where the person types. */
  question: string;
}

/** Contract: `shown` holds no raw control or invisible character; `question` is one line. */
export function approvalText(request: ApprovalRequest): ApprovalText {
  if (request.kind === "command") {
    // A command that leaves the sandbox says how, beside the command: the question is about that.
    const leaves = request.unsandboxed ? " (runs outside the sandbox)" : request.network ? " (needs the network)" : "";
    return { shown: `Command${leaves}:\n  ${bothEnds(showControls(request.command))}`, question: "Run this command?" };
  }
  if (request.kind === "write") {
    const path = showControls(request.path);
    return { shown: `${path} is protected: ${showControls(request.reason)}.`, question: `Write ${path}?` };
  }
  if (request.kind === "network") {
    const domain = request.port && request.port !== 443 && request.port !== 80 ? `${request.host}:${request.port}` : request.host;
    const who = request.commands.length === 1 ? showControls(request.commands[0]!) : request.commands.length ? `one of: ${request.commands.map((command) => showControls(command)).join("; ")}` : "a command";
    return { shown: `Network: ${bothEnds(who)} wants ${showControls(domain)}, which is not an allowed domain.`, question: `Allow ${showControls(domain)}?` };
  }
  if (request.kind === "server") {
    return {
      shown: `This project's MCP server ${showControls(request.name)} would run:\n  ${bothEnds(showControls(request.command))}`,
      question: "Start it? (asked once)",
    };
  }
  return { shown: `Call:\n  ${bothEnds(showControls(request.summary))}`, question: `Call ${showControls(request.tool)}?` };
}

function bothEnds(text: string): string {
  if (text.length <= SHOWN_WHOLE_CHARS) return text;
  const left = text.length - HEAD_CHARS - TAIL_CHARS;
  return `${text.slice(0, HEAD_CHARS)} … [${left} characters not shown] … ${text.slice(-TAIL_CHARS)}`;
}
