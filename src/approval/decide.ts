import { domainMatches, everyPartAllowed, ruleMatches, type PermissionRule } from "./permission-rules.js";
import type { ApprovalRequest } from "../tools/define.js";
import { commandPrefix, dangerousShape, prefixCovers } from "./dangerous.js";
import type { PermissionMode } from "../config/claude-flags.js";

/**
 * THE decision for every tool call, in both modes (REPL, --print) and both regimes (sandbox on,
 * off): run it, ask the person (saying why), or refuse (saying why and, in --print, how to allow
 * it). Pure: everything it weighs arrives in the context, so the whole matrix is unit-tested and
 * the terminal only draws the question and reads the answer.
 *
 * In order, the first that applies decides:
 *  1. a `deny` rule refuses, whatever else holds (--yes, bypassPermissions, a remembered answer);
 *  2. a project's MCP server start asks (--print: runs only with --trust-project-mcp);
 *  3. permission mode plan changes nothing: reads run; a command runs inside the sandbox, where exec
 *     makes nothing writable but the session's temp folder, and without the sandbox only the
 *     person's answer lets it run (the REPL asks every time; --print refuses); the rest is refused;
 *  4. an `ask` rule asks (--print: refuses), even under --yes; so does a PreToolUse hook's "ask"
 *     (kind "hook"), which no --yes nor remembered answer answers: it asked for the person;
 *  5. --yes (or bypassPermissions: the person's own settings, --permission-mode) runs;
 *  6. a dangerous shape (dangerous.ts) asks, even under an allow rule, a hook's allow or a remembered answer;
 *  6b. a PreToolUse hook's "allow" (`allowedByHook`) runs a command that does not ask to leave the
 *     sandbox and an MCP tool's call, as an allow rule would; never a new domain nor a protected write;
 *  7. what needs no question runs: a command inside the sandbox, a read, an unprotected write,
 *     a domain already allowed (--allow-domain, settings, an earlier answer); under permission
 *     mode acceptEdits, a protected write too;
 *  8. an `allow` rule runs it without the question. It never lets a command leave the sandbox:
 *     `Bash(npm install:*)` skips the question about the command, not the one about `sandbox: false`
 *     or the network, which need their own answer (WebFetch(domain:…) for a domain);
 *  9. a remembered answer (`a`, `p`, "always") covers it;
 * 10. otherwise ask, saying why (--print, or permission mode dontAsk: refuse, saying how to allow it).
 * Then the Agent SDK program's PreToolUse verdict (`hostHook`) weighs in: its "allow" runs what
 * would ask, its "ask" asks what would run (where nobody can ask: refuses); a refusal stands.
 *
 * Rules come from the settings files and from Claude Code's --allowedTools / --disallowedTools
 * (source "--allowedTools"…); the permission mode from --permission-mode or the Agent SDK.
 */


/** `unasked`: --print refused what the REPL would have asked (a PermissionRequest hook may still answer it). */
export type Decision = { kind: "run" } | { kind: "ask"; why: string } | { kind: "refuse"; why: string; unasked?: boolean };

/** The permission rules in force, each with its source file (approval/permission-settings.ts reads them). */
export interface PermissionRules {
  allow: PermissionRule[];
  deny: PermissionRule[];
  ask: PermissionRule[];
}

/** What the REPL's explicit answers allowed for this session (session.ts holds and changes it). */
export interface Remembered {
  /** `a`: every action, except dangerous shapes. */
  allowAll: boolean;
  /** `p`: simple commands starting with one of these. */
  prefixes: readonly string[];
  /** `a` at an MCP tool's question: that tool. */
  tools: ReadonlySet<string>;
  /** "allow for this session" at a domain's question. */
  domains: readonly string[];
}

export interface DecisionContext {
  mode: "repl" | "print";
  sandbox: { active: boolean; /** --allow-net */ allowNet: boolean };
  /** --yes, or defaultMode bypassPermissions in the person's own settings. */
  yes: boolean;
  rules?: PermissionRules;
  remembered?: Remembered;
  /** Domains allowed before any question: --allow-domain, sandbox.network.allowedDomains, "always for this project". */
  allowedDomains?: readonly string[];
  /** --trust-project-mcp (--print only). */
  trustProjectMcp?: boolean;
  /** Claude Code's --permission-mode; unset or "default"/"auto": as without it. */
  permissionMode?: PermissionMode;
  /** Why nobody can be asked, when mode is "print" (default: --print's own reason). */
  cannotAsk?: string;
}

const run: Decision = { kind: "run" };

/** Contract: pure and total; every `ask` and `refuse` carries one sentence saying why. */
export function decide(request: ApprovalRequest, context: DecisionContext): Decision {
  const decision = decideAlone(request, context);
  if (request.hostHook === "allow" && decision.kind === "ask") return run;
  if (request.hostHook !== "ask" || decision.kind !== "run") return decision;
  const why = "a PreToolUse hook asks about this call";
  if (context.mode === "repl") return { kind: "ask", why };
  return { kind: "refuse", why: `${why}, and ${context.cannotAsk ?? "--print cannot ask the user"}`, unasked: true };
}

/** The decision before the Agent SDK program's hook verdict: steps 1-10 above. */
function decideAlone(request: ApprovalRequest, context: DecisionContext): Decision {
  const rules = context.rules ?? { allow: [], deny: [], ask: [] };
  const denied = rules.deny.find((rule) => ruleMatches(rule, request));
  if (denied) return { kind: "refuse", why: `the permission rule ${named(denied)} denies it (deny wins over --yes and every allow)` };
  if (request.kind === "server") {
    if (context.mode === "repl") return { kind: "ask", why: `this project's MCP server ${request.name} would start a program on this machine` };
    if (context.trustProjectMcp) return run;
    return { kind: "refuse", why: `this project's MCP server ${request.name} was not started: --print starts a project's servers only with --trust-project-mcp` };
  }
  if (request.kind === "hook") {
    if (context.mode === "repl") return { kind: "ask", why: `a PreToolUse hook asks you to approve it: ${request.reason}` };
    return { kind: "refuse", why: `${context.cannotAsk ?? "mini-claude is running with --print, which cannot ask the user"}; it can run in the REPL, where the user can approve it`, unasked: true };
  }
  const mode = context.permissionMode ?? "default";
  // Reading a web page (web_fetch's GET) changes nothing either: the network rules below decide it, as in any mode.
  if (mode === "plan" && request.kind !== "read" && !(request.kind === "network" && request.webFetch)) return inPlanMode(request, context);
  const asking = rules.ask.find((rule) => ruleMatches(rule, request));
  if (asking) return askOrRefuse(context, request, `the permission rule ${named(asking)} asks every time`, "rule");
  // A private address (web_fetch to 127.0.0.1, 169.254.169.254 …) needs an allow that names it, even under --yes.
  const privateAddress = request.kind === "network" && request.privateAddress === true;
  if ((context.yes || mode === "bypassPermissions") && !privateAddress) return run;
  const danger = request.kind === "command" ? dangerousShape(request.command) : undefined;
  if (danger) return askOrRefuse(context, request, `this command ${danger}`, "danger");
  if (request.allowedByHook && staysInside(request)) return run;
  const need = whyAsk(request, context);
  if (!need) return run;
  if (mode === "acceptEdits" && request.kind === "write") return run;
  if (allowedByRule(request, rules.allow, context)) return run;
  if (context.remembered && covered(request, context.remembered)) return run;
  return askOrRefuse(context, request, need, "need");
}

/** Step 3: plan mode promises that nothing changes; only the read-only sandbox keeps a command to that. */
function inPlanMode(request: ApprovalRequest, context: DecisionContext): Decision {
  const plan = "permission mode plan changes nothing";
  if (request.kind !== "command") return { kind: "refuse", why: `${plan}: only reading runs now; describe the change you would make in the plan instead of making it` };
  if (request.unsandboxed || request.network) return { kind: "refuse", why: `${plan}: commands run only inside the read-only sandbox, without the network; run it without sandbox: false` };
  if (context.sandbox.active) return run;
  const why = `${plan}, but the sandbox is off, so nothing stops this command from writing`;
  if (context.mode === "repl") return { kind: "ask", why };
  return {
    kind: "refuse",
    why: `${why}, and ${context.cannotAsk ?? "--print cannot ask the user"}. Look around with read_file, list_files and grep instead; plan mode runs commands only inside the sandbox (bubblewrap installed, sandbox not off)`,
  };
}

/** Why this request needs the person at all, before rules and answers; undefined: it runs. */
function whyAsk(request: ApprovalRequest, { sandbox, allowedDomains = [] }: DecisionContext): string | undefined {
  switch (request.kind) {
    case "command":
      if (!sandbox.active) return "the sandbox is off, so every command asks";
      if (request.unsandboxed) return "it runs outside the sandbox (sandbox: false)";
      if (request.network && !sandbox.allowNet) return "it needs the network (network: true), which the sandbox blocks";
      return undefined;
    case "network":
      if (request.privateAddress) {
        if (allowedDomains.some((domain) => !domain.startsWith("*.") && domainMatches(domain, request.host, request.port))) return undefined;
        return `\`${request.command}\` wants ${hostPort(request)}, a private address, which only an allow naming it opens`;
      }
      if (sandbox.allowNet || allowedDomains.some((domain) => domainMatches(domain, request.host, request.port))) return undefined;
      return `\`${request.command}\` wants ${hostPort(request)}, which is not an allowed domain`;
    case "read":
      return undefined;
    case "write":
      return request.reason ? `${request.diff.path} is protected: ${request.reason}` : undefined;
    case "tool":
      return `it calls ${request.name}, a tool of MCP server ${request.server}`;
    case "server":
    case "hook":
      return undefined;
  }
}

/** What a hook's allow may answer: a command that does not ask to leave the sandbox, an MCP tool's call. */
function staysInside(request: ApprovalRequest): boolean {
  if (request.kind === "tool") return true;
  return request.kind === "command" && !request.unsandboxed && !request.network;
}

function allowedByRule(request: ApprovalRequest, allow: PermissionRule[], { sandbox }: DecisionContext): boolean {
  switch (request.kind) {
    case "command":
      // With the sandbox on, what is left to ask is leaving it: a command rule does not cover that.
      return !sandbox.active && everyPartAllowed(allow, request.command);
    case "network":
      return allow.some((rule) => rule.tool === "WebFetch" && ruleMatches(rule, request));
    case "write":
      // A protected path needs a rule that names a path, never a bare `Edit`.
      return allow.some((rule) => rule.specifier !== undefined && ruleMatches(rule, request));
    default:
      return allow.some((rule) => ruleMatches(rule, request));
  }
}

function covered(request: ApprovalRequest, remembered: Remembered): boolean {
  if (request.kind === "tool" && remembered.tools.has(request.tool)) return true;
  if (request.kind === "network" && remembered.domains.some((domain) => domainMatches(domain, request.host, request.port))) return true;
  if (remembered.allowAll && !(request.kind === "network" && request.privateAddress)) return true;
  return request.kind === "command" && remembered.prefixes.some((prefix) => prefixCovers(prefix, request.command));
}

type Cause = "rule" | "danger" | "need";

function askOrRefuse(context: DecisionContext, request: ApprovalRequest, why: string, cause: Cause): Decision {
  if (context.permissionMode === "dontAsk") {
    return { kind: "refuse", why: `${why}, and permission mode dontAsk refuses what would ask. Tell the user: allow it with --allowedTools, or use another permission mode.` };
  }
  if (context.mode === "repl") return { kind: "ask", why };
  return { kind: "refuse", why: `${why}, and ${context.cannotAsk ?? "--print cannot ask the user"}. ${howToAllow(request, cause, context)}`, unasked: true };
}

/** For --print's refusal: what the user can do so this runs next time, written for the model to relay. */
function howToAllow(request: ApprovalRequest, cause: Cause, { sandbox }: DecisionContext): string {
  if (cause === "rule") return "Tell the user: remove that ask rule, or run this in the REPL to answer it.";
  if (cause === "danger") return "Tell the user: only --yes runs a command of this shape without asking.";
  switch (request.kind) {
    case "command": {
      if (sandbox.active && request.unsandboxed) return "Tell the user to re-run with --yes to allow it, or run it inside the sandbox (without sandbox: false).";
      if (sandbox.active) return "Tell the user to re-run with --allow-net (network for commands) or --yes.";
      const prefix = commandPrefix(request.command);
      return `Tell the user to re-run with --yes, or allow it in settings: "permissions": {"allow": ["Bash(${prefix}:*)"]}.`;
    }
    case "network":
      return `Tell the user to re-run with --allow-domain ${hostPort(request)}, or add it to "sandbox": {"network": {"allowedDomains": [...]}} in settings.`;
    case "write":
      return "Tell the user to re-run with --yes, or allow that path in settings with an Edit(path) rule in permissions.allow.";
    case "tool":
      return `Tell the user to re-run with --yes, or allow it in settings: "permissions": {"allow": ["mcp__${request.server}__${request.name}"]}.`;
    default:
      return "Tell the user to re-run with --yes to allow it.";
  }
}

function hostPort(request: { host: string; port?: number }): string {
  return request.port === undefined ? request.host : `${request.host}:${request.port}`;
}

function named(rule: PermissionRule): string {
  return `"${rule.text}" (${rule.source})`;
}

/** The regime in one line, for the REPL's banner and /sandbox; `yes`: --yes (step 5 above). */
export function regimeLine(sandbox: { active: boolean; problem?: string }, yes = false): string {
  if (yes) {
    const where = sandbox.active
      ? "--yes, sandbox on: commands, writes and new domains run without asking; a command stays in the sandbox unless it asks for sandbox: false"
      : `${sandbox.problem ? `${sandbox.problem}. ` : ""}--yes, sandbox off: every command and write runs without asking, unconfined`;
    return `${where}. Only ask rules, a hook's "ask" and a project's MCP servers still ask; deny rules refuse.`;
  }
  if (sandbox.active) {
    return "Sandbox on: commands run without asking inside the workspace; a domain not yet allowed, sandbox: false and destructive commands ask. /sandbox shows it.";
  }
  return sandbox.problem ? `${sandbox.problem}.` : "Sandbox off: every shell command asks for approval.";
}
