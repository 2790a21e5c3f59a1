import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { adopt, adopted, alsoOnKill, killAll, release } from "../../src/processes/children.js";
import { isAlive, processTree, terminate } from "../../src/processes/process-tree.js";
import { eventually } from "../support/processes.js";
import { tempWorkspace } from "../support/workspace.js";

const CHILDREN_MODULE = fileURLToPath(new URL("../../src/processes/children.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));

/**
 * A tree as commands leave them: a shell leading its own group, a child of it, and a grandchild that
 * escaped into a session of its own (out of reach of a group kill). Resolves once all three run.
 */
async function startTree(root: string, name: string, options: { detached: boolean }): Promise<{ pid: number; all: () => number[] }> {
  const file = join(root, `${name}.pid`);
  const child = spawn("sh", ["-c", `sleep 300 & setsid sh -c 'echo $$ > "${file}"; sleep 300' & wait`], { detached: options.detached, stdio: "ignore" });
  child.unref();
  const pid = child.pid!;
  const escapee = () => Number(readFileSync(file, "utf8"));
  await eventually(() => {
    try {
      return escapee() > 0 && processTree(pid).length >= 4;
    } catch {
      return false;
    }
  }, 5000);
  const seen = [...processTree(pid), escapee()];
  onTestFinished(async () => {
    for (const member of seen) if (isAlive(member)) process.kill(member, "SIGKILL");
  });
  return { pid, all: () => seen };
}

describe("children: what dies with mini-claude", () => {
  it("killAll({ now }) SIGKILLs every adopted tree, escapees and non-leaders included, then runs the clean-ups, all before it returns", async () => {
    const ws = tempWorkspace();
    const command = await startTree(ws.root, "command", { detached: true });
    // An MCP server is spawned by its SDK without a group of its own.
    const server = await startTree(ws.root, "server", { detached: false });
    adopt(command.pid, "command");
    adopt(server.pid, "server");
    expect(adopted()).toEqual([command.pid, server.pid]);
    expect(adopted("server")).toEqual([server.pid]);
    const ran: string[] = [];
    const forget = alsoOnKill(() => ran.push(`cleanup with ${adopted().length} adopted`));
    onTestFinished(forget);
    onTestFinished(
      alsoOnKill(() => {
        throw new Error("a broken clean-up");
      }),
    );
    const killed: number[] = [];
    adopt(999_999_999, "job", { killed: () => killed.push(1) });
    void killAll({ now: true });
    expect(ran).toEqual(["cleanup with 0 adopted"]);
    expect(killed).toEqual([1]);
    expect(await eventually(() => [...command.all(), ...server.all()].every((pid) => !isAlive(pid)), 2000)).toBe(true);
  });

  it("killAll() stops each tree as its owner does, or with SIGTERM then SIGKILL, and forgets what was released", async () => {
    const ws = tempWorkspace();
    const hook = await startTree(ws.root, "hook", { detached: true });
    const job = await startTree(ws.root, "job", { detached: true });
    const gone = await startTree(ws.root, "gone", { detached: true });
    const stops: number[] = [];
    adopt(hook.pid, "hook");
    adopt(job.pid, "job", { stop: () => terminate(job.pid).then(() => stops.push(job.pid)) });
    adopt(gone.pid, "command");
    release(gone.pid);
    await killAll();
    expect(stops).toEqual([job.pid]);
    expect([...hook.all(), ...job.all()].filter(isAlive)).toEqual([]);
    expect(gone.all().every(isAlive)).toBe(true);
    expect(adopted()).toEqual([]);
  });

  it("--keep-background: after keepJobsAtExit() the jobs and the clean-ups they need outlive the kill at exit", async () => {
    const ws = tempWorkspace();
    const script = `import { adopt, alsoOnKill, keepJobsAtExit, killAll } from ${JSON.stringify(CHILDREN_MODULE)};
import { spawn } from "node:child_process";
const start = () => { const child = spawn("sleep", ["300"], { detached: true, stdio: "ignore" }); child.unref(); return child.pid; };
const job = start();
const command = start();
adopt(job, "job");
adopt(command, "command");
alsoOnKill(() => console.log("removed the job logs"), { keptWithJobs: true });
alsoOnKill(() => console.log("cleaned up the rest"));
keepJobsAtExit();
console.log("pids " + job + " " + command);
process.on("exit", () => void killAll({ now: true }));
process.exit(0);`;
    const path = join(ws.root, "keep.mts");
    spawnSync("sh", ["-c", `cat > '${path}'`], { input: script });
    const result = spawnSync(process.execPath, ["--import", "tsx", path], { cwd: REPO, encoding: "utf8", timeout: 20_000 });
    const [job, command] = (/pids (\d+) (\d+)/.exec(result.stdout) ?? []).slice(1).map(Number);
    onTestFinished(() => void terminate(job));
    expect(result.stdout).toContain("cleaned up the rest");
    expect(result.stdout).not.toContain("removed the job logs");
    expect(await eventually(() => !isAlive(command), 2000)).toBe(true);
    expect(isAlive(job)).toBe(true);
  });
});
