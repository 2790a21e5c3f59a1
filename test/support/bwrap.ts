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
