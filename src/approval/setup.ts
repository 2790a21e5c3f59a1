import type { Config } from "../config.js";
import { projectDomains, rememberProjectDomain } from "../permissions/project-domains.js";
import { loadPermissions, type PermissionSettings } from "../permissions/settings.js";
import { sandboxState } from "../processes/sandbox.js";
import type { Approval, ApprovalRequest } from "../tools/define.js";
import { decide, type Decision, type DecisionContext } from "./decide.js";
import { SessionApprovals } from "./session.js";

/**
 * The session's approval state, wired once by main.ts: the permission rules from the settings
 * files, the REPL's remembered answers, the domains allowed for this project, and the sandbox in
 * force. `decide(request)` is the one decision with all of it; `printApprover()` is --print's
 * whole approval (it cannot ask, so "ask" became a refusal in decide()).
 */
export interface Approvals {
  permissions: PermissionSettings;
  remembered: SessionApprovals;
  /** The sandbox's state now (the engine is configured after start-up). */
  sandboxOn(): boolean;
  decide(request: ApprovalRequest, mode: DecisionContext["mode"]): Decision;
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
  const remembered = new SessionApprovals();
  const forProject = projectDomains(config.dataDir, config.workspace);
  const allowedDomains = () => [...new Set([...(config.allowDomains ?? []), ...permissions.allowedDomains(), ...forProject])];
  const context = (mode: DecisionContext["mode"]): DecisionContext => {
    const sandbox = sandboxState();
    return {
      mode,
      sandbox: { active: sandbox.active, allowNet: sandbox.allowNet },
      yes: config.yes || permissions.bypass,
      rules: permissions.rules(),
      remembered: mode === "repl" ? remembered : undefined,
      allowedDomains: allowedDomains(),
      trustProjectMcp: config.trustProjectMcp,
    };
  };
  const approvals: Approvals = {
    permissions,
    remembered,
    sandboxOn: () => sandboxState().active,
    decide: (request, mode) => decide(request, context(mode)),
    allowedDomains,
    allowDomainForProject: (domain) => {
      if (!forProject.includes(domain)) forProject.push(domain);
      return rememberProjectDomain(config.dataDir, config.workspace, domain);
    },
    printApprover: () => async (request) => {
      const decision = approvals.decide(request, "print");
      return decision.kind === "run" ? { approved: true } : { approved: false, refused: decision.why };
    },
  };
  return approvals;
}
