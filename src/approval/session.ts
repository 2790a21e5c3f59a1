import type { ApprovalRequest } from "../tools/define.js";
import { commandPrefix, dangerousShape, prefixCovers } from "./dangerous.js";
import type { Remembered } from "./decide.js";

/**
 * What the person's answers mean, and what the explicit ones remember for this REPL session.
 * Only an explicit answer is remembered: `p` (a simple command's prefix), `a` / "always" (every
 * action but dangerous shapes; at an MCP tool's question, that tool; `s` there, every tool of its
 * server), and at a domain's question
 * "session" or "always for this project". A plain yes covers this one request, nothing more.
 * /approvals lists what is remembered and revokes it.
 */

export type Answer =
  | { kind: "yes" }
  | { kind: "no"; reason?: string }
  | { kind: "prefix"; prefix: string }
  | { kind: "all" }
  /** An MCP tool's question: every tool of its server, for the session. */
  | { kind: "server" }
  /** A domain's question: this domain for the session, or for this project from now on. */
  | { kind: "session" }
  | { kind: "project" }
  /** Not an answer (a bare Enter with no default, `p` where it is not offered): ask again. */
  | { kind: "again" };

const YES_START = new Set(["y", "yes", "yeah", "yep", "yup", "ok", "okay", "sure", "go", "do", "run", "please", "proceed", "fine", "alright", "allow", "approve", "approved"]);
const POLITE = new Set([...YES_START, "ahead", "it", "thanks", "thank", "you", "that", "this", "once", "one", "time"]);

/** True for "y", "yes please", "ok, go ahead!", "sure thing"-like answers: every word a yes or a courtesy. */
export function isYes(text: string): boolean {
  const words = text.toLowerCase().replace(/[.,!;:']+/g, " ").trim().split(/\s+/);
  return YES_START.has(words[0]) && words.every((word) => POLITE.has(word) || word === "thing");
}

export class SessionApprovals implements Remembered {
  allowAll = false;
  readonly prefixes: string[] = [];
  readonly tools = new Set<string>();
  readonly servers = new Set<string>();
  readonly domains: string[] = [];

  /** Reads one answer. An empty answer takes the shown default (yes, unless the shape is dangerous). */
  read(text: string, request: ApprovalRequest, options: { enterMeansDefault: boolean }): Answer {
    const answer = text.trim();
    const network = request.kind === "network";
    if (!answer) {
      if (!options.enterMeansDefault) return { kind: "no" };
      if (isDangerous(request)) return { kind: "again" };
      return network ? { kind: "session" } : { kind: "yes" };
    }
    if (network && /^(s|session)$/i.test(answer)) return { kind: "session" };
    if (request.kind === "tool" && /^s(erver)?$/i.test(answer)) return { kind: "server" };
    if (isYes(answer)) return network ? { kind: "session" } : { kind: "yes" };
    if (/^a(lways)?$/i.test(answer)) return network ? { kind: "project" } : { kind: "all" };
    if (/^p$/i.test(answer)) return offersPrefix(request) ? { kind: "prefix", prefix: commandPrefix(request.command) } : { kind: "again" };
    const reason = answer.replace(/^(no(pe)?|n)\b[\s:,.-]*/i, "").trim();
    return { kind: "no", reason: reason || undefined };
  }

  /** Remember an explicit answer; returns the sentence saying what is now allowed, or undefined. */
  remember(answer: Answer, request: ApprovalRequest): string | undefined {
    if (answer.kind === "prefix" && !this.prefixes.includes(answer.prefix)) this.prefixes.push(answer.prefix);
    if (answer.kind === "prefix") return `Allowed \`${answer.prefix}\` for this session (/approvals to revoke).`;
    if (request.kind === "network" && (answer.kind === "session" || answer.kind === "project")) {
      const domain = request.port === undefined ? request.host : `${request.host}:${request.port}`;
      if (!this.domains.includes(domain)) this.domains.push(domain);
      return answer.kind === "session" ? `Allowed ${domain} for this session (/approvals to revoke).` : `Allowed ${domain} for this project from now on.`;
    }
    if (answer.kind === "server" && request.kind === "tool") {
      this.servers.add(request.server);
      return `Allowed every tool of MCP server ${request.server} for this session (/approvals to revoke).`;
    }
    // "a" at a server's trust or a hook's own question answers that question once: they ask every time.
    if (answer.kind !== "all" || request.kind === "server" || request.kind === "hook") return undefined;
    if (request.kind === "tool") {
      this.tools.add(request.tool);
      return `Allowed ${request.tool} for this session (/approvals to revoke).`;
    }
    this.allowAll = true;
    return "Allowed every action for this session, except dangerous commands (/approvals to revoke).";
  }

  /** The choices for a request, as the end of its question line. */
  choices(request: ApprovalRequest): string {
    if (request.kind === "network") return "[S]ession: allow for this session / [a]lways for this project / [n]o: ";
    if (request.kind === "server") return "[y]es / [n]o: ";
    // Words of its own: `a` here is this tool, never every action as at a command's question.
    if (request.kind === "tool") return `[y]es once / [a]lways for this tool / [s]erver: always for every tool of ${request.server} / [n]o (add a reason): `;
    const yes = isDangerous(request) ? "[y]es" : "[Y]es";
    const prefix = offersPrefix(request) ? ` / [p] always \`${commandPrefix(request.command)}\`` : "";
    const all = this.allowAll || request.kind === "read" || request.kind === "hook" ? "" : " / [a]lways";
    return `${yes} / [n]o (add a reason)${prefix}${all}: `;
  }

  /** What /approvals shows; `sandboxOn` so it says what happens without a rule. */
  describe(sandboxOn: boolean): string {
    const entries = this.entries();
    if (!this.allowAll && entries.length === 0) return `Nothing is remembered: ${withoutRules(sandboxOn)}`;
    const lines = ["Allowed without asking for this session (dangerous commands still ask):"];
    if (this.allowAll) lines.push("  all   every action");
    entries.forEach((entry, i) => lines.push(`  ${String(i + 1).padEnd(5)} ${entry.label}`));
    lines.push("Revoke with /approvals revoke N, /approvals revoke all.");
    return lines.join("\n");
  }

  /** `/approvals revoke N|all`: one sentence saying what changed, true for the regime in force. */
  revoke(which: string, sandboxOn: boolean): string {
    if (which === "all") {
      this.allowAll = false;
      this.prefixes.length = 0;
      this.domains.length = 0;
      this.tools.clear();
      this.servers.clear();
      return `Revoked everything: ${withoutRules(sandboxOn)}`;
    }
    const entry = this.entries()[Number(which) - 1];
    if (!entry) return `No rule ${which || "given"}. /approvals lists them; /approvals revoke N or all.`;
    entry.remove();
    // Inside the sandbox such a command never asked: only its way out (network, sandbox: false) asks again.
    if (entry.command && sandboxOn) return `Revoked ${entry.label}: inside the sandbox it still runs without asking; with network or sandbox: false it asks again.`;
    return `Revoked ${entry.label}: it asks again.`;
  }

  private entries(): { label: string; remove: () => void; command?: boolean }[] {
    const drop = (list: string[], item: string) => () => list.splice(list.indexOf(item), 1);
    return [
      ...this.prefixes.map((prefix) => ({ label: `\`${prefix}\` and what follows it`, remove: drop(this.prefixes, prefix), command: true })),
      ...this.domains.map((domain) => ({ label: `network to ${domain}`, remove: drop(this.domains, domain) })),
      ...[...this.tools].map((tool) => ({ label: `tool ${tool}`, remove: () => void this.tools.delete(tool) })),
      ...[...this.servers].map((server) => ({ label: `every tool of MCP server ${server}`, remove: () => void this.servers.delete(server) })),
    ];
  }
}

function withoutRules(sandboxOn: boolean): string {
  return sandboxOn
    ? "inside the sandbox commands run without asking; network, sandbox: false, destructive commands, protected writes and MCP tools ask."
    : "every command asks first (the sandbox is off).";
}

function isDangerous(request: ApprovalRequest): boolean {
  return request.kind === "command" && dangerousShape(request.command) !== undefined;
}

/** `p` is offered only where a prefix rule could ever cover the command: a simple, not dangerous one. */
function offersPrefix(request: ApprovalRequest): request is Extract<ApprovalRequest, { kind: "command" }> {
  return request.kind === "command" && !isDangerous(request) && prefixCovers(commandPrefix(request.command), request.command);
}
