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
  switch (request.kind) {
    case "command": {
      // A command that leaves the sandbox says so beside the command: the question is about that.
      const leaves = request.unsandboxed ? " (runs outside the sandbox)" : "";
      return { shown: `Command${leaves}:\n  ${bothEnds(showControls(request.command))}`, question: "Run this command?" };
    }
    case "network": {
      const where = showControls(request.port === undefined ? request.host : `${request.host}:${request.port}`);
      return { shown: `Network: \`${bothEnds(showControls(request.command))}\` wants ${where}.`, question: `Allow ${where}?` };
    }
    case "read":
      return { shown: `Read: ${showControls(request.path)} (${request.tool})`, question: "Read it?" };
    case "write": {
      const path = showControls(request.diff.path);
      return { shown: request.reason ? `${path} is protected: ${showControls(request.reason)}.` : `Write: ${path}`, question: `Write ${path}?` };
    }
    case "server":
      return {
        shown: `This project's MCP server ${showControls(request.name)} would run:\n  ${bothEnds(showControls(request.command))}`,
        question: "Start it? (asked once)",
      };
    case "tool":
      return { shown: `Call:\n  ${bothEnds(showControls(request.summary))}`, question: `Call ${showControls(request.tool)}?` };
  }
}

function bothEnds(text: string): string {
  if (text.length <= SHOWN_WHOLE_CHARS) return text;
  const left = text.length - HEAD_CHARS - TAIL_CHARS;
  return `${text.slice(0, HEAD_CHARS)} … [${left} characters not shown] … ${text.slice(-TAIL_CHARS)}`;
}
