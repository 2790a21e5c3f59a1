// Measures what issue 4 asks for: mini-claude's peak RSS while a command prints 200 MB through
// runCommand, and the time from kill() of a background HTTP server to its port taking a new listener.
// Also: the same flood from a background job (followed through its log file), and how long start()
// takes for a job that is ready at once.
//
//   npx tsx bench/processes.ts [megabytes]      (part of `npm run bench`)
import { mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { JobManager } from "../src/processes/jobs.js";
import { killAll } from "../src/processes/children.js";
import { runCommand } from "../src/processes/run.js";

const megabytes = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 200);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const root = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));

async function floodMemory() {
  await runCommand("true", { cwd: root, timeoutMs: 10_000 });
  const before = process.memoryUsage();
  let peak = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peak = Math.max(peak, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 5);
  const result = await runCommand(`yes | head -c ${megabytes * 1_000_000}`, { cwd: root, timeoutMs: 120_000 });
  clearInterval(sampler);
  console.log(`flood: ${megabytes} MB printed in ${result.durationMs} ms (exit ${result.exitCode}), ${result.truncatedBytes} bytes cut, ${Buffer.byteLength(result.output)} bytes kept`);
  console.log(`  rss before ${mb(before.rss)}, peak ${mb(peak)} (+${mb(peak - before.rss)}); heap used before ${mb(before.heapUsed)}, peak ${mb(peakHeap)}`);
}

async function jobFloodMemory() {
  const processes = new JobManager();
  const before = process.memoryUsage().rss;
  let peak = before;
  let peakFile = 0;
  const starting = processes.start(`yes | head -c ${megabytes * 1_000_000}; echo done; sleep 30`, { cwd: root });
  // The job is listed once its shell is spawned (after the sandbox, if any, wrapped it).
  while (!processes.list().length) await new Promise((resolve) => setTimeout(resolve, 1));
  const { logFile } = processes.list()[0];
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    peakFile = Math.max(peakFile, fileSize(logFile));
  }, 5);
  const started = performance.now();
  const job = await starting;
  while (processes.logs(job.id, 1).lines[0] !== "done") await new Promise((resolve) => setTimeout(resolve, 5));
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  await killAll();
  console.log(`job flood: ${megabytes} MB followed through the job's log file; last line seen ${elapsed.toFixed(0)} ms after start() (3 s of it is the startup wait)`);
  console.log(`  rss before ${mb(before)}, peak ${mb(peak)} (+${mb(peak - before)}); log file peak ${mb(peakFile)}`);
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function readyJobStart(runs = 10) {
  const processes = new JobManager();
  const times = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const job = await processes.start("echo ready; sleep 30", { cwd: root });
    times.push(performance.now() - started);
    await processes.kill(job.id);
  }
  await killAll();
  times.sort((a, b) => a - b);
  console.log(`start() of a job that prints "ready" at once: median ${times[Math.floor(runs / 2)].toFixed(0)} ms, max ${times[runs - 1].toFixed(0)} ms (200 ms of it is the wait for a URL line)`);
}

function listenOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function killToFreePort(label: string, command: string, runs = 5) {
  const processes = new JobManager();
  const kills = [];
  const frees = [];
  for (let run = 0; run < runs; run++) {
    const job = await processes.start(command, { cwd: root });
    if (job.state !== "running" || !job.url) throw new Error(`${label}: did not start: ${job.log.join("\n")}`);
    const port = Number(new URL(job.url).port);
    const started = performance.now();
    const result = await processes.kill(job.id);
    kills.push(performance.now() - started);
    while (!(await listenOnce(port))) await new Promise((resolve) => setTimeout(resolve, 1));
    frees.push(performance.now() - started);
    if (result.survivors.length) console.log(`  survivors: ${result.survivors.join(", ")}`);
  }
  await killAll();
  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`;
  };
  console.log(`${label}: kill() resolves ${summary(kills)}; port accepts a new listener ${summary(frees)} (${runs} runs)`);
}

const server = (extra: string) =>
  `require("node:http").createServer((q, s) => s.end("ok")).listen(0, "127.0.0.1", function () {
    ${extra}
    console.log("listening on http://localhost:" + this.address().port);
  });`;
writeFileSync(join(root, "server.js"), server(`require("node:child_process").fork(__dirname + "/worker.js");`));
writeFileSync(join(root, "worker.js"), "setInterval(() => {}, 1000);");
writeFileSync(join(root, "stubborn.js"), server(`process.on("SIGTERM", () => {});`));
writeFileSync(join(root, "package.json"), JSON.stringify({ name: "bench", private: true, scripts: { dev: "node server.js" } }));

try {
  await floodMemory();
  await jobFloodMemory();
  await readyJobStart();
  await killToFreePort("npm run dev (npm -> sh -> node -> forked worker)", "npm run dev");
  await killToFreePort("node server ignoring SIGTERM", "node stubborn.js");
} finally {
  rmSync(root, { recursive: true, force: true });
}
