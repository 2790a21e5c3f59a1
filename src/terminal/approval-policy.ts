import { commandPrefix, dangerousShape } from "../approval-rule.js";
import type { ApprovalRequest } from "../tools/index.js";

/**
 * What the person has allowed in this REPL session, and what their answers mean. Pure data: the
 * question itself is drawn by approval.ts, the rules live here so /approvals can show them.
 *
 * Rules: `a` allows everything for the session; `p` allows one command prefix (its first words,
 * e.g. `npm test`). A prefix covers only a simple command (no `;`, `&&`, `|`, redirection or
 * substitution), so `npm test && rm -rf ~` is never covered by `npm test`. A command with a
 * dangerous shape asks even under a rule; only --yes runs it without asking.
 */

export type Answer =
  | { kind: "yes" }
  | { kind: "no"; reason?: string }
  | { kind: "prefix"; prefix: string }
  | { kind: "all" }
  /** Not an answer (a bare Enter with no default): ask again. */
  | { kind: "again" };

export class ApprovalPolicy {
  /** `a` was answered: everything is allowed but dangerous shapes. */
  allowAll = false;
  /** Command prefixes answered with `p`, in the order they were allowed. */
  readonly prefixes: string[] = [];
  /** Outside (MCP) tools answered with `a`: that tool from now on, nothing else. */
  readonly tools = new Set<string>();

  /** True when the request may run without asking. */
  allows(request: ApprovalRequest): boolean {
    if (request.kind === "command" && dangerousShape(request.command)) return false;
    if (request.kind === "tool" && this.tools.has(request.tool)) return true;
    if (this.allowAll) return true;
    return request.kind === "command" && this.prefixes.some((prefix) => covers(prefix, request.command));
  }

  /** Reads one answer. An empty answer takes the shown default (yes, unless the shape is dangerous). */
  read(text: string, request: ApprovalRequest, options: { enterMeansDefault: boolean }): Answer {
    const answer = text.trim();
    if (!answer) {
      if (!options.enterMeansDefault) return { kind: "no" };
      return defaultAnswer(request) === "yes" ? { kind: "yes" } : { kind: "again" };
    }
    if (/^(y|yes|ok|okay)$/i.test(answer)) return { kind: "yes" };
    if (/^a(lways)?$/i.test(answer)) return { kind: "all" };
    if (/^p$/i.test(answer) && !(request.kind === "command" && covers(commandPrefix(request.command), request.command))) return { kind: "again" };
    if (/^p$/i.test(answer) && request.kind === "command" && covers(commandPrefix(request.command), request.command)) return { kind: "prefix", prefix: commandPrefix(request.command) };
    const reason = answer.replace(/^n(o)?\b[\s:,.-]*/i, "").trim();
    return { kind: "no", reason: reason || undefined };
  }

  apply(answer: Answer): void {
    if (answer.kind === "all") this.allowAll = true;
    if (answer.kind === "prefix" && !this.prefixes.includes(answer.prefix)) this.prefixes.push(answer.prefix);
  }

  /** The choices for a request, as the end of its question line. */
  choices(request: ApprovalRequest): string {
    const danger = request.kind === "command" ? dangerousShape(request.command) : undefined;
    const yes = danger ? "[y]es" : "[Y]es";
    // A prefix rule can only ever cover a simple command, so a compound one is not offered it.
    const offer = request.kind === "command" && !danger && covers(commandPrefix(request.command), request.command);
    const prefix = offer ? ` / [p] always \`${commandPrefix(request.command)}\`` : "";
    const all = this.allowAll || request.kind === "hook" ? "" : " / [a]lways";
    return `${yes} / [n]o (add a reason)${prefix}${all}: `;
  }

  /** What /approvals shows. */
  describe(): string {
    if (!this.allowAll && !this.prefixes.length && !this.tools.size) return "Nothing is allowed without asking: every command asks first.";
    const lines = ["Allowed without asking for this session (dangerous commands still ask):"];
    if (this.allowAll) lines.push("  all   every command and action");
    this.prefixes.forEach((prefix, i) => lines.push(`  ${String(i + 1).padEnd(5)} \`${prefix}\` and what follows it`));
    for (const tool of this.tools) lines.push(`  tool  ${tool} (revoke all to ask again)`);
    lines.push("Revoke with /approvals revoke N, /approvals revoke all.");
    return lines.join("\n");
  }

  /** `/approvals revoke N|all`: one sentence saying what changed. */
  revoke(which: string): string {
    if (which === "all") {
      this.allowAll = false;
      this.prefixes.length = 0;
      this.tools.clear();
      return "Revoked everything: every command asks again.";
    }
    const index = Number(which) - 1;
    if (Number.isInteger(index) && index >= 0 && index < this.prefixes.length) {
      const [prefix] = this.prefixes.splice(index, 1);
      return `Revoked \`${prefix}\`: it asks again.`;
    }
    return `No rule ${which || "given"}. /approvals lists them; /approvals revoke N or all.`;
  }

  /** A line above the question when it asks despite a rule, so the person knows why. */
  whyAsking(request: ApprovalRequest): string | undefined {
    if (request.kind !== "command") return undefined;
    const danger = dangerousShape(request.command);
    if (!danger) return undefined;
    const rule = this.allowAll || this.prefixes.some((p) => covers(p, request.command)) ? " even though you allowed it" : "";
    return `This command ${danger}: asking${rule}.`;
  }
}

function defaultAnswer(request: ApprovalRequest): "yes" | "none" {
  return request.kind === "command" && dangerousShape(request.command) ? "none" : "yes";
}


/** A simple command that starts with `prefix` as whole words. */
function covers(prefix: string, command: string): boolean {
  const text = command.trim();
  if (/[;&|<>`\n]|\$\(/.test(text)) return false;
  return text === prefix || text.startsWith(`${prefix} `);
}

