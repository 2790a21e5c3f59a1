/**
 * The machine under the sandbox: what it lacks for the engine (with the command that installs it),
 * and the engine's network bridges left behind on it.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The engine's own helpers, named from its installed package: apply-seccomp (the filter that
 * keeps commands off the host's Unix sockets) and the JVM proxy agent. The engine is bundled into
 * dist/ (half its load time), where its own lookup beside its files finds nothing; and when it
 * finds no apply-seccomp it only logs a warning and leaves Unix sockets open, so a missing one is
 * a missing support here, not a fallback.
 */
export function engineHelpers(): { applySeccomp?: string; javaAgentJar?: string } {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve("@anthropic-ai/sandbox-runtime/package.json"));
  } catch {
    return {};
  }
  const arch = process.arch === "x64" ? "x64" : process.arch === "arm64" ? "arm64" : undefined;
  const applySeccomp = arch ? join(root, "vendor", "seccomp", arch, "apply-seccomp") : undefined;
  const javaAgentJar = join(root, "vendor", "java-proxy-agent", "srt-proxy-agent.jar");
  return { applySeccomp: applySeccomp && isExecutable(applySeccomp) ? applySeccomp : undefined, javaAgentJar: isFile(javaAgentJar) ? javaAgentJar : undefined };
}

/** What this machine lacks for the engine, with the command that installs it; undefined when nothing. */
export function missingSupport(): string | undefined {
  if (process.platform === "darwin") {
    if (!onPath("sandbox-exec")) return "sandbox-exec not found";
    return onPath("rg") ? undefined : "ripgrep is missing (brew install ripgrep)";
  }
  if (process.platform !== "linux") return `the sandbox needs Linux or macOS, not ${process.platform}`;
  const missing = [
    ["bwrap", "bubblewrap"],
    ["socat", "socat"],
    ["rg", "ripgrep"],
  ].filter(([binary]) => !onPath(binary!));
  if (missing.length) {
    const packages = missing.map(([, name]) => name).join(" ");
    return `${packages} ${missing.length > 1 ? "are" : "is"} missing (install: apt-get install ${packages})`;
  }
  if (!engineHelpers().applySeccomp) return `the sandbox engine's seccomp helper for ${process.arch} is missing (reinstall mini-claude: npm ci)`;
  const probe = spawnSync(onPath("bwrap")!, ["--ro-bind", "/", "/", "--dev", "/dev", "--unshare-pid", "--unshare-net", "--die-with-parent", "true"], { encoding: "utf8", timeout: 5000 });
  if (probe.status === 0) return undefined;
  const why = (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split("\n")[0];
  return `bubblewrap cannot create namespaces here (${why}); enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or kernel.apparmor_restrict_unprivileged_userns=0)`;
}

/**
 * SIGKILL this user's engine bridges (`socat UNIX-LISTEN:…/claude-http-….sock`) whose parent is
 * `parent`: 1 for those a kill -9 of their mini-claude orphaned (nothing could run then), our pid
 * for ours at exit. The engine spawns them itself, so they are found here rather than adopted by
 * children.ts. Linux only.
 */
export function killBridges(parent: number): void {
  if (process.platform !== "linux") return;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent || statSync(`/proc/${pid}`).uid !== process.getuid?.()) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (cmdline[0] === "socat" && /^UNIX-LISTEN:.*\/claude-(http|socks)-[0-9a-f]+\.sock,/.test(cmdline[1] ?? "")) process.kill(Number(pid), "SIGKILL");
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
