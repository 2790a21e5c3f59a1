import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { isAlive, KILL_GRACE_MS, processTree, terminate } from "../../src/processes/process-tree.js";
import { JobManager, UnknownJobError, type JobManagerOptions } from "../../src/processes/jobs.js";
import { adopted, killAll } from "../../src/processes/children.js";
import { jobEndedNotice, jobLogsText, jobTable } from "../../src/tools/background.js";
import { eventually, portIsFree } from "../support/processes.js";
import { tempWorkspace } from "../support/workspace.js";

/** A manager whose jobs cannot outlive the test, with waits short enough for unit tests. */
function manager(options: JobManagerOptions = {}): JobManager {
  const processes = new JobManager({ startupMs: 1500, ...options });
  onTestFinished(() => killAll());
  return processes;
}

const PROCESSES_MODULE = fileURLToPath(new URL("../../src/processes/jobs.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Runs `body` in a fresh node (via tsx) with `processes` and `job` (started from `command`) in scope;
 * returns the pids of the job's tree and the script's output.
 */
function inFreshProcess(root: string, file: string, body: string, command = "sh -c 'sleep 30; :' & echo ready; wait"): { stdout: string; pids: number[] } {
  const script = `import { JobManager } from ${JSON.stringify(PROCESSES_MODULE)};
import { killAll } from ${JSON.stringify(PROCESSES_MODULE.replace("jobs.ts", "children.ts"))};
const processes = new JobManager({ startupMs: 1000 });
const job = await processes.start(${JSON.stringify(command)}, { cwd: ${JSON.stringify(root)} });
const { processTree } = await import(${JSON.stringify(PROCESSES_MODULE.replace("jobs.ts", "process-tree.ts"))});
console.log("tree " + processTree(job.pid).join(","));
${body}`;
  const path = `${root}/${file}`;
  spawnSync("sh", ["-c", `cat > '${path}'`], { input: script });
  const result = spawnSync(process.execPath, ["--import", "tsx", path], { cwd: REPO, encoding: "utf8", timeout: 20_000 });
  const pids = (/tree ([\d,]+)/.exec(result.stdout)?.[1] ?? "").split(",").map(Number);
  return { stdout: result.stdout + result.stderr, pids };
}

const DEV_SERVER = {
  "package.json": JSON.stringify({ name: "app", private: true, scripts: { dev: "node server.js" } }),
  "server.js": `
    const http = require("node:http");
    const { fork } = require("node:child_process");
    const worker = fork(__dirname + "/worker.js");
    http.createServer((req, res) => res.end("hello from dev")).listen(0, "127.0.0.1", function () {
      console.log("worker " + worker.pid);
      console.log("listening on http://localhost:" + this.address().port + "/");
    });
  `,
  "worker.js": "setInterval(() => {}, 1000);",
};

describe("JobManager", () => {
  it("runs a dev server through npm, detects its URL, and kills the whole tree so the port is free", async () => {
    const ws = tempWorkspace(DEV_SERVER);
    const processes = manager();
    const started = await processes.start("npm run dev", { cwd: ws.root });
    expect(started).toMatchObject({ id: 1, state: "running", exitCode: null });
    expect(started.url).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(started.log).toContain("> node server.js");
    const response = await fetch(started.url!);
    expect(await response.text()).toBe("hello from dev");

    const tree = processTree(started.pid);
    const worker = Number(/worker (\d+)/.exec(jobLogsText(processes.logs(1)))?.[1]);
    expect(tree).toContain(started.pid);
    expect(tree).toContain(worker);
    expect(tree.length).toBeGreaterThanOrEqual(3);
    expect(jobLogsText(processes.logs(1, 1))).toMatch(/^job 1 `npm run dev` \(running\): last 1 of \d+ lines\nlistening on http/);

    const killed = await processes.kill(1);
    expect(killed.wasRunning).toBe(true);
    expect(killed.survivors).toEqual([]);
    expect(killed.killed).toEqual(expect.arrayContaining(tree));
    expect(tree.filter(isAlive)).toEqual([]);
    expect(await portIsFree(Number(new URL(started.url!).port))).toBe(true);
    expect(processes.list()[0]).toMatchObject({ id: 1, state: "killed" });
    expect(existsSync(started.logFile)).toBe(false);
    expect(processes.drainEnded()).toEqual([]);
    expect((await processes.kill(1)).wasRunning).toBe(false);
  });

  it("reports a job that dies during startup as failed, with its exit code and output", async () => {
    const processes = manager();
    const started = Date.now();
    const result = await processes.start(`node -e "console.error('Error: config.json not found'); process.exit(2)"`, { cwd: tempWorkspace().root });
    expect(Date.now() - started).toBeLessThan(1400);
    expect(result).toMatchObject({ state: "failed", exitCode: 2, log: ["Error: config.json not found"] });
    expect(jobTable(processes.list())).toMatch(/failed\(2\)/);
    expect(processes.drainEnded()).toEqual([]);
  });

  it("kills a job that ignores SIGTERM, and one that left the process group", async () => {
    const processes = manager();
    const stubborn = await processes.start(
      `node -e "process.on('SIGTERM', () => console.log('ignoring TERM')); console.log('ready'); setInterval(() => {}, 1000)"`,
      { cwd: tempWorkspace().root },
    );
    expect(stubborn.state).toBe("running");
    const stubbornTree = processTree(stubborn.pid);
    const began = performance.now();
    const first = await processes.kill(stubborn.id);
    // One grace period for jobs and foreground commands alike.
    expect(performance.now() - began).toBeGreaterThanOrEqual(KILL_GRACE_MS);
    expect(performance.now() - began).toBeLessThan(KILL_GRACE_MS + 180);
    expect(first.survivors).toEqual([]);
    expect(stubbornTree.filter(isAlive)).toEqual([]);
    expect(jobLogsText(processes.logs(stubborn.id))).toContain("ignoring TERM");

    const escaped = await processes.start("setsid sleep 30 & echo escaped $!; echo ready; wait", { cwd: tempWorkspace().root });
    const escapee = Number(/escaped (\d+)/.exec(escaped.log.join("\n"))?.[1]);
    expect(processTree(escaped.pid)).toContain(escapee);
    const second = await processes.kill(escaped.id);
    expect(second.killed).toContain(escapee);
    expect(isAlive(escapee)).toBe(false);
  });

  it("keeps only the last 500 lines of a noisy job and counts the dropped ones", async () => {
    const processes = manager();
    const job = await processes.start("seq 1 200000; echo ready; sleep 30", { cwd: tempWorkspace().root });
    expect(job.state).toBe("running");
    expect(job.log).toEqual([
      ...["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
      "[... 199981 lines omitted ...]",
      ...["199992", "199993", "199994", "199995", "199996", "199997", "199998", "199999", "200000", "ready"],
    ]);
    const logs = jobLogsText(processes.logs(job.id, 10_000)).split("\n");
    expect(logs[0]).toBe("job 1 `seq 1 200000; echo ready; sleep 30` (running): last 500 of 200001 lines; 199501 older lines were dropped (only the last 500 are kept)");
    expect(logs).toHaveLength(501);
    expect(logs[1]).toBe("199502");
    expect(logs[500]).toBe("ready");
    expect(jobLogsText(processes.logs(job.id, 3)).split("\n").slice(1)).toEqual(["199999", "200000", "ready"]);
  });

  it("keeps a noisy job's log file small while the rolling log follows it", async () => {
    const processes = manager({ maxLogFileBytes: 64 * 1024 });
    const job = await processes.start("seq 1 100000; echo ready; while :; do echo tick; sleep 0.01; done", { cwd: tempWorkspace().root });
    expect(job.state).toBe("running");
    // seq alone printed 589 KB; the file is emptied once read past the cap.
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      peak = Math.max(peak, statSync(job.logFile).size);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(peak).toBeLessThan(64 * 1024);
    const logs = jobLogsText(processes.logs(job.id, 500));
    expect(logs).toContain("\n99999\n100000\nready\ntick\n");
    expect(logs).toMatch(/\ntick$/);
  });

  it("stops waiting for startup when the signal aborts, leaving the job running", async () => {
    const processes = manager({ startupMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const began = Date.now();
    const job = await processes.start("echo warming up; sleep 30", { cwd: tempWorkspace().root, signal: controller.signal });
    expect(Date.now() - began).toBeLessThan(1000);
    expect(job).toMatchObject({ state: "running", interrupted: true, log: ["warming up"] });
    expect(isAlive(job.pid)).toBe(true);
    expect(processes.list()[0].state).toBe("running");
  });

  it("refuses a working directory that is missing or not a directory", async () => {
    const ws = tempWorkspace();
    const processes = manager();
    const file = ws.write("notes.txt", "x");
    await expect(processes.start("true", { cwd: file })).rejects.toThrow(`working directory ${file} is not a directory`);
    await expect(processes.start("true", { cwd: `${ws.root}/gone` })).rejects.toThrow(`working directory ${ws.root}/gone does not exist`);
    expect(processes.list()).toEqual([]);
  });

  it("tells once about a job that exited on its own after startup", async () => {
    const processes = manager();
    const job = await processes.start("echo ready; sleep 0.4; echo 'Error: lost connection'; exit 4", { cwd: tempWorkspace().root });
    expect(job.state).toBe("running");
    expect(await eventually(() => processes.list()[0].state !== "running")).toBe(true);
    const line = "background job 1 `echo ready; sleep 0.4; echo 'Error: lost connection'; exit 4` exited with code 4";
    expect(processes.drainEnded().map(jobEndedNotice)).toEqual([{ text: `${line}; last output:\n  ready\n  Error: lost connection`, display: line }]);
    expect(processes.drainEnded()).toEqual([]);
    expect(processes.list()[0]).toMatchObject({ state: "exited", exitCode: 4 });
    // Once the job and its leftovers are gone, its log lives on in memory only.
    expect(await eventually(() => !existsSync(job.logFile))).toBe(true);
  });

  it("lists jobs for the person and explains unknown ids", async () => {
    const processes = manager();
    expect(jobTable(processes.list())).toBe("No background jobs.");
    const job = await processes.start("echo 'Serving HTTP on 0.0.0.0 port 8000 (http://0.0.0.0:8000/) ...'; sleep 30", { cwd: tempWorkspace().root });
    expect(job.url).toBe("http://0.0.0.0:8000/");
    const [header, row] = jobTable(processes.list(), job.startedAt + 65_000).split("\n");
    expect(header).toMatch(/^id\s+pid\s+state\s+uptime\s+url\s+command$/);
    expect(row).toMatch(new RegExp(`^1\\s+${job.pid}\\s+running\\s+1m05s\\s+http://0\\.0\\.0\\.0:8000/\\s+echo 'Serving`));
    expect(() => processes.logs(7)).toThrow(UnknownJobError);
    expect(() => processes.logs(7)).toThrow(expect.objectContaining({ id: 7, known: [1] }));
  });

  it("children.ts's killAll, at once at exit or gracefully, leaves nothing behind and records the jobs as killed", async () => {
    const processes = manager();
    const ws = tempWorkspace();
    const jobs = await Promise.all([1, 2].map(() => processes.start("sh -c 'sleep 30; :' & echo ready; wait", { cwd: ws.root })));
    const trees = jobs.map((job) => processTree(job.pid));
    expect(trees.every((tree) => tree.length >= 2)).toBe(true);
    expect(adopted("job")).toEqual(jobs.map((job) => job.pid));
    const logDir = dirname(jobs[0].logFile);
    expect(jobs.map((job) => existsSync(job.logFile))).toEqual([true, true]);
    await killAll({ now: true });
    expect(await eventually(() => trees.flat().every((pid) => !isAlive(pid)), 1000)).toBe(true);
    expect(processes.list().map((job) => job.state)).toEqual(["killed", "killed"]);
    expect(processes.unreported()).toEqual([]);
    expect(existsSync(logDir)).toBe(false);
    expect(adopted()).toEqual([]);

    const third = await processes.start("echo ready; sleep 30", { cwd: ws.root });
    const tree = processTree(third.pid);
    await killAll();
    expect(tree.filter(isAlive)).toEqual([]);
    expect(existsSync(dirname(third.logFile))).toBe(false);
    expect(jobLogsText(processes.logs(3))).toBe("job 3 `echo ready; sleep 30` (killed): last 1 of 1 lines\nready");
    expect(processes.unreported()).toEqual([]);
  });

  it("finishes killAll in a process with nothing else to keep it alive, and killAll({ now }) works in an exit handler", async () => {
    const ws = tempWorkspace();
    const awaited = inFreshProcess(ws.root, "await.mts", 'await killAll();\nconsole.log("state " + processes.list()[0].state);');
    expect(awaited.stdout).toMatch(/state killed/);
    expect(awaited.pids.length).toBeGreaterThanOrEqual(2);
    expect(awaited.pids.filter(isAlive)).toEqual([]);
    const exiting = inFreshProcess(ws.root, "exit.mts", 'process.on("exit", () => void killAll({ now: true }));\nprocess.exit(0);');
    expect(exiting.pids.length).toBeGreaterThanOrEqual(2);
    expect(await eventually(() => exiting.pids.every((pid) => !isAlive(pid)), 1000)).toBe(true);
  });

  it("leaves a job running and logging to its file after its parent exits without killing it (--keep-background)", async () => {
    const ws = tempWorkspace();
    const ticker = "echo ready; while :; do echo tick; sleep 0.05; done";
    const parent = inFreshProcess(ws.root, "keep.mts", 'console.log("job " + job.pid + " " + job.state + " " + job.logFile);', ticker);
    const [, pid, state, logFile] = /job (\d+) (\w+) (\S+)/.exec(parent.stdout) ?? [];
    const pgid = Number(pid);
    onTestFinished(async () => {
      if (pgid > 0) await terminate(pgid);
      if (logFile) rmSync(dirname(logFile), { recursive: true, force: true });
    });
    expect(state).toBe("running");
    expect(logFile).toMatch(/\/job-1\.log$/);
    // The parent is gone; the job goes on writing to its file, not to a pipe with no reader.
    const before = statSync(logFile).size;
    const grew = () => statSync(logFile).size >= before + 4 * "tick\n".length && /^ready\n(tick\n){10,}/.test(readFileSync(logFile, "utf8"));
    expect(await eventually(grew, 5000)).toBe(true);
    expect(isAlive(pgid)).toBe(true);
    expect((await terminate(pgid)).survivors).toEqual([]);
    expect(parent.pids.filter(isAlive)).toEqual([]);
  });
});
