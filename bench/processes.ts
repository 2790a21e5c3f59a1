// Measures what issue 4 asks for: mini-claude's peak RSS while a command prints 200 MB through
// runCommand, and the time from kill() of a background HTTP server to its port taking a new listener.
//
//   npx tsx bench/processes.ts [megabytes]      (part of `npm run bench`)
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ProcessManager } from "../src/processes.js";
import { runCommand } from "../src/shell.js";

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

function listenOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function killToFreePort(label: string, command: string, runs = 5) {
  const processes = new ProcessManager();
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
  const summary = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`;
  };
  console.log(`${label}: kill() resolves ${summary(kills)}; port accepts a new listener ${summary(frees)} (${runs} runs)`);
}

const server = (extra) =>
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
  await killToFreePort("npm run dev (npm -> sh -> node -> forked worker)", "npm run dev");
  await killToFreePort("node server ignoring SIGTERM", "node stubborn.js");
} finally {
  rmSync(root, { recursive: true, force: true });
}
