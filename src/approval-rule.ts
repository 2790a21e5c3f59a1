/**
 * Which requests must be put to the person. Without the sandbox every command asks, as it always
 * did. With the sandbox on, a command inside the boundary runs without asking: the boundary and
 * rewind are the protection. What leaves the boundary (the network, `sandbox: false`) still asks,
 * and so do commands of a destructive shape, whose damage inside the workspace is the point.
 * Both approval policies (the REPL's and --print's) decide with mustAsk(), so they cannot differ.
 */
import { sandboxState } from "./processes/sandbox.js";
import type { Approval, ApprovalRequest } from "./tools/define.js";

/** Shapes that destroy work wholesale: rm -r of a folder, git reset --hard, git clean, git push --force. */
const DESTRUCTIVE: RegExp[] = [
  /(?:^|[;&|(\s])rm\s+(?:-[a-zA-Z]*\s+)*-[a-zA-Z]*[rR]/,
  /(?:^|[;&|(\s])rm\s+(?:\S+\s+)*--recursive\b/,
  /\bgit\s+(?:-\S+\s+)*reset\s+(?:\S+\s+)*--hard\b/,
  /\bgit\s+(?:-\S+\s+)*clean\b/,
  /\bgit\s+(?:-\S+\s+)*push\s+(?:\S+\s+)*(?:--force\b|--force-with-lease\b|-[a-zA-Z]*f\b)/,
];

/** True when `command` has a destructive shape: DESTRUCTIVE, or one that asks even under a rule (dangerousShape). */
export function isDestructive(command: string): boolean {
  return DESTRUCTIVE.some((shape) => shape.test(command)) || dangerousShape(command) !== undefined;
}

/** Why a command is dangerous in a few words, or undefined. Shapes, not a sandbox: the question is the guard. */
export function dangerousShape(command: string): string | undefined {
  const text = command.replace(/\s+/g, " ");
  for (const part of text.split(/&&|\|\||;|\n/)) {
    const words = part.trim().split(" ");
    const at = words.findIndex((word) => word === "rm");
    if (at >= 0) {
      const flags = words.slice(at + 1).filter((word) => word.startsWith("-"));
      const recursive = flags.some((flag) => /^-[a-zA-Z]*[rR]/.test(flag) || flag === "--recursive");
      const force = flags.some((flag) => /^-[a-zA-Z]*f/.test(flag) || flag === "--force");
      if (recursive && force) return "deletes recursively without asking (rm -rf)";
    }
  }
  if (/\bgit\b.*\bpush\b.*(\s--force(-with-lease)?\b|\s-[a-zA-Z]*f\b|\s\+\S)/.test(text)) return "rewrites a remote branch (git push --force)";
  if (/\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(ba|z|da|k)?sh\b/.test(text)) return "runs a script straight from the network";
  if (/>\s*\/dev\/(?!null\b|stdout\b|stderr\b|tty\b|fd\/)\w/.test(text) || /\bdd\b.*\bof=\/dev\//.test(text)) return "writes to a device";
  if (/\bmkfs(\.\w+)?\b/.test(text)) return "formats a file system";
  return undefined;
}

/**
 * Whether `request` must be asked (the person may still have allowed everything with --yes or
 * "always"; that is the policy's business, not this rule's).
 */
export function mustAsk(request: ApprovalRequest, sandboxOn = sandboxState().active): boolean {
  if (request.kind !== "command") return true;
  if (!sandboxOn || request.unsandboxed) return true;
  if (request.network && !sandboxState().allowNet) return true;
  return isDestructive(request.command);
}

/**
 * A command's first words: its program, plus its subcommand when the second word is one
 * ("npm test", "npm run:dev", "cargo fetch"; "curl" for "curl https://…"). Both regimes remember
 * approvals by it: the REPL's `p` answer and the sandbox's network approvals.
 */
export function commandPrefix(command: string): string {
  const [program = "", second] = command.trim().split(/\s+/);
  return second && /^[a-z][\w:-]*$/i.test(second) ? `${program} ${second}` : program;
}

type Policy = (request: ApprovalRequest, signal: AbortSignal) => Promise<Approval>;

/**
 * Wrap an approval policy so that the network, once approved for a command prefix, is not asked
 * again for that prefix this session (an "always" answer already covers everything). A destructive
 * shape or a command leaving the sandbox altogether still asks.
 */
export function rememberNetworkApprovals(policy: Policy): Policy {
  const approved = new Set<string>();
  return async (request, signal) => {
    const networkOnly = request.kind === "command" && request.network && !request.unsandboxed;
    if (networkOnly && approved.has(commandPrefix(request.command)) && !isDestructive(request.command)) return { approved: true };
    const answer = await policy(request, signal);
    if (networkOnly && answer.approved) approved.add(commandPrefix(request.command));
    return answer;
  };
}

/** The regime in one line, for the REPL's banner. */
export function approvalRegime(): string {
  const state = sandboxState();
  if (state.active) {
    return "Sandbox on: commands run without asking inside the workspace; a domain not yet allowed, sandbox: false and destructive commands ask. /sandbox shows it.";
  }
  return state.problem ? `${state.problem}.` : "Sandbox off: every shell command asks for approval.";
}
