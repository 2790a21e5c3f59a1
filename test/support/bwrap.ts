import { spawnSync } from "node:child_process";

/**
 * Whether the sandbox engine can run on this machine, and if not, why: sandbox tests are skipped
 * then, and the suite says so in their name and on stderr, so a machine without bubblewrap, socat
 * or ripgrep (a Mac, a bare container) never passes silently.
 */
export function bwrapProblem(): string | undefined {
  if (process.platform !== "linux") return `the sandbox tests need Linux (this is ${process.platform})`;
  const missing = ["bwrap", "socat", "rg"].filter((tool) => spawnSync(tool, ["--version"]).error);
  if (missing.length) return `${missing.join(", ")} missing (install: apt-get install bubblewrap socat ripgrep)`;
  const probe = spawnSync("bwrap", ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid", "--unshare-net", "true"], { encoding: "utf8" });
  if (probe.status !== 0) return `bwrap does not work here: ${probe.stderr.trim().split("\n")[0]}`;
  return undefined;
}

export const BWRAP_PROBLEM = bwrapProblem();
if (BWRAP_PROBLEM) process.stderr.write(`\nSKIPPED: sandbox tests, because ${BWRAP_PROBLEM}.\n\n`);
/** A describe title that carries the reason when the block is skipped. */
export const sandboxSuite = (title: string) => (BWRAP_PROBLEM ? `${title} [SKIPPED: ${BWRAP_PROBLEM}]` : title);

/**
 * Why a sandboxed job's port cannot reach the host here, or undefined. The forward enters the
 * job's network namespace with nsenter, which takes root; as another user mini-claude tells the
 * model the browser cannot reach the server, and the tests that fetch it are skipped, saying so.
 */
export const JOB_PORT_PROBLEM =
  BWRAP_PROBLEM || process.getuid?.() === 0 ? undefined : "forwarding a sandboxed job's port to the host takes root (nsenter into its network namespace)";
if (JOB_PORT_PROBLEM) process.stderr.write(`\nSKIPPED: reaching a sandboxed job's server from the host, because ${JOB_PORT_PROBLEM}.\n\n`);
/** A test title that carries the reason when the test is skipped for JOB_PORT_PROBLEM. */
export const jobPortTest = (title: string) => (JOB_PORT_PROBLEM ? `${title} [SKIPPED: ${JOB_PORT_PROBLEM}]` : title);
