// What one MCP server adds to a --print run's start-up: the same one-reply run with no server, one
// stdio server (the small test server, and the published server-everything) and one streamable HTTP
// server (server-everything, already listening), interleaved round by round so load hits all alike.
// Median of RUNS (default 10) wall-clock runs of the built CLI.
//
//   npm run build && npx tsx bench/mcp-startup.ts
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { reply, startFakeOpenAI } from "../test/support/fake-openai.js";
import { EVERYTHING } from "../test/support/real-mcp-servers.js";
import { median, runCli } from "./cli-run.js";

const RUNS = Number(process.env.RUNS ?? 10);
const TEST_SERVER = fileURLToPath(new URL("../test/support/mcp-test-server.mjs", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "mini-claude-bench-mcp-"));
const configFile = (name: string, server: object) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ mcpServers: { [name]: server } }));
  return ["--mcp-config", file];
};

const port = await freePort();
const http = spawn(process.execPath, [EVERYTHING, "streamableHttp"], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
await new Promise<void>((resolve, reject) => {
  http.stderr!.setEncoding("utf8").on("data", (data: string) => data.includes("listening on port") && resolve());
  http.once("exit", () => reject(new Error("server-everything over HTTP did not start")));
});

// A home kept across runs: the server's tools are remembered from its previous start (tool-cache.ts).
const keptHome = mkdtempSync(join(tmpdir(), "mini-claude-bench-kept-home-"));
const cases: [string, string[], string?][] = [
  ["no MCP server", []],
  ["one stdio server (test server), first start", configFile("test", { command: process.execPath, args: [TEST_SERVER] })],
  ["one stdio server (test server), tools known from its last start", configFile("test", { command: process.execPath, args: [TEST_SERVER] }), keptHome],
  ["one stdio server (server-everything)", configFile("everything", { command: process.execPath, args: [EVERYTHING, "stdio"] })],
  ["one HTTP server (server-everything)", configFile("web", { type: "http", url: `http://127.0.0.1:${port}/mcp` })],
];
const times = cases.map(() => [] as number[]);
try {
  for (let round = 0; round < RUNS; round++) {
    for (const [index, [, args, home]] of cases.entries()) {
      const fake = await startFakeOpenAI([reply().text("ok")]);
      times[index].push((await runCli(dir, fake, "hello", args, [], home)).ms);
      await fake.close();
    }
  }
} finally {
  http.kill("SIGKILL");
}
const none = median(times[0]);
for (const [index, [label]] of cases.entries()) {
  const ms = median(times[index]);
  console.log(`--print, ${label}: median ${ms.toFixed(0)} ms of ${RUNS}${index ? ` (+${(ms - none).toFixed(0)} ms)` : ""}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
