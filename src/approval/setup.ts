import type { Config } from "../config/config.js";
import { projectDomains, rememberProjectDomain } from "./project-domains.js";
import { parseRule, ruleMatches, type PermissionRule } from "./permission-rules.js";
import { loadPermissions, type PermissionSettings } from "./permission-settings.js";
import { sandboxState } from "../processes/sandbox.js";
import type { Approval, ApprovalRequest } from "../tools/define.js";
import type { PermissionMode } from "../config/claude-flags.js";
import { decide, type Decision, type DecisionContext, type PermissionRules } from "./decide.js";
import { SessionApprovals } from "./session.js";

/**
 * The session's approval state, wired once by main.ts: the permission rules from the settings
 * files and Claude Code's --allowedTools / --disallowedTools, the permission mode, the REPL's remembered answers, the domains allowed for this project, and the sandbox in
 * force. `decide(request)` is the one decision with all of it; `printApprover()` is --print's
 * whole approval (it cannot ask, so "ask" became a refusal in decide(), which a PermissionRequest
 * hook may still answer, as it would the REPL's question).
 */
export interface Approvals {
  permissions: PermissionSettings;
  remembered: SessionApprovals;
  /** The sandbox's state now (the engine is configured after start-up). */
  sandboxOn(): boolean;
  /** Claude Code's permission mode (--permission-mode; the Agent SDK, /plan and Shift+Tab change it mid-session: mode-switch.ts). */
  permissionMode: PermissionMode;
  /** The mode plan mode was entered from (mode-switch.ts). */
  modeBeforePlan?: PermissionMode;
  /** `cannotAsk`: why nobody can be asked, when `mode` is "print" outside --print. */
  decide(request: ApprovalRequest, mode: DecisionContext["mode"], cannotAsk?: string): Decision;
  /** Why a Read deny rule (settings or --disallowedTools) denies reading `absolute`, or undefined. */
  readDenied(absolute: string): string | undefined;
  /** Domains allowed before any question (--allow-domain, settings, "always for this project"), for the engine's proxy. */
  allowedDomains(): string[];
  /** "always for this project" at a domain's question; false when it could not be saved. */
  allowDomainForProject(domain: string): boolean;
  /** --print's approval: run or refuse, never a question. */
  printApprover(): (request: ApprovalRequest) => Promise<Approval>;
}

/** Contract: never throws; problems in settings files are in `permissions.problems`. */
export function setUpApprovals(config: Config, options: { claudeDir?: string } = {}): Approvals {
  const permissions = loadPermissions({ workspace: config.workspace, configDir: config.configDir, dataDir: config.dataDir, claudeDir: options.claudeDir });
  const flags = flagRules(config);
  permissions.problems.push(...flags.problems);
  const rules = (): PermissionRules => {
    const fromFiles = permissions.rules();
    return { allow: [...fromFiles.allow, ...flags.allow], deny: [...fromFiles.deny, ...flags.deny], ask: fromFiles.ask };
  };
  const remembered = new SessionApprovals();
  const forProject = projectDomains(config.dataDir, config.workspace);
  const allowedDomains = () => [...new Set([...(config.allowDomains ?? []), ...permissions.allowedDomains(), ...forProject])];
  const context = (mode: DecisionContext["mode"], cannotAsk?: string): DecisionContext => {
    const sandbox = sandboxState();
    return {
      mode,
      sandbox: { active: sandbox.active, allowNet: sandbox.allowNet },
      yes: config.yes || permissions.bypass,
      rules: rules(),
      remembered: mode === "repl" ? remembered : undefined,
      allowedDomains: allowedDomains(),
      trustProjectMcp: config.trustProjectMcp,
      permissionMode: approvals.permissionMode,
      cannotAsk,
    };
  };
  const approvals: Approvals = {
    permissions,
    remembered,
    sandboxOn: () => sandboxState().active,
    permissionMode: startMode(config, permissions),
    decide: (request, mode, cannotAsk) => decide(request, context(mode, cannotAsk)),
    readDenied: (absolute) => {
      const rule = flags.deny.find((candidate) => ruleMatches(candidate, { kind: "read", tool: "grep", path: absolute }));
      return rule ? `"${rule.text}" (${rule.source})` : permissions.readDenied(absolute);
    },
    allowedDomains,
    allowDomainForProject: (domain) => {
      if (!forProject.includes(domain)) forProject.push(domain);
      return rememberProjectDomain(config.dataDir, config.workspace, domain);
    },
    printApprover: () => async (request) => {
      const decision = approvals.decide(request, "print");
      if (decision.kind === "run") return { approved: true };
      // What the REPL would have asked, a PermissionRequest hook may answer; a deny rule's refusal it may not.
      const answered = decision.kind === "refuse" && decision.unasked ? await request.beforeQuestion?.(false) : undefined;
      return answered ?? { approved: false, refused: decision.why };
    },
  };
  return approvals;
}

/** Claude Code's --allowedTools / --disallowedTools: the same rule syntax as the settings files, from the command line. */
function flagRules(config: Config): { allow: PermissionRule[]; deny: PermissionRule[]; problems: string[] } {
  const problems: string[] = [];
  const parse = (texts: string[] | undefined, flag: string) =>
    (texts ?? []).flatMap((text) => {
      const rule = parseRule(text, config.workspace, flag);
      if (typeof rule !== "string") return [rule];
      problems.push(`${flag} rule ${JSON.stringify(text)} ignored: ${rule}.`);
      return [];
    });
  return { allow: parse(config.claude?.allowedTools, "--allowedTools"), deny: parse(config.claude?.disallowedTools, "--disallowedTools"), problems };
}

/**
 * The mode a session starts in: --permission-mode (or the Agent SDK's) when given, else the
 * settings' defaultMode. A project's may only take power away (plan, dontAsk); acceptEdits and
 * bypassPermissions count only from the person's own settings (bypass is --yes: permissions.bypass).
 */
function startMode(config: Config, permissions: PermissionSettings): PermissionMode {
  const flag = config.claude?.permissionMode ?? "default";
  if (flag !== "default") return flag;
  const setting = permissions.defaultMode;
  if (setting?.mode === "plan" || setting?.mode === "dontAsk") return setting.mode;
  if (setting?.mode === "acceptEdits" && setting.scope === "user") return "acceptEdits";
  return "default";
}
