import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isAlive } from "../../src/processes/process-tree.js";
import { BWRAP_PROBLEM, sandboxSuite } from "../support/bwrap.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { cliOptions, startCli } from "../support/run-cli.js";
import { tempWorkspace, type TempWorkspace } from "../support/workspace.js";

/**
 * What an MCP stdio server leaves behind: nothing. The test server (PID_FILE) starts a child and
 * an orphan (a grandchild whose parent already exited), which only its process group still finds.
 */

const fakeOpenAI = useFakeOpenAI();
const SERVER = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));

function configWith(ws: TempWorkspace, pidFile: string): string {
  const file = join(ws.outside, "mcp.json");
  writeFileSync(file, JSON.stringify({ mcpServers: { test: { command: process.execPath, args: [SERVER], env: { PID_FILE: pidFile } } } }));
  return file;
}

const pidsIn = (file: string): number[] => readFileSync(file, "utf8").trim().split(" ").map(Number);
const allGone = (pids: number[]) => eventually(() => pids.every((pid) => !isAlive(pid)), 4000);

describe("MCP stdio servers leave nothing behind", () => {
  it("a server that crashes takes its children with it, and the model is told", async () => {
    const ws = tempWorkspace();
    const pidFile = join(ws.outside, "pids");
    const fake = await fakeOpenAI([reply().tool("mcp__test__crash", {}), reply().text("it crashed")]);
    const cli = startCli(["-p", "--yes", "--mcp-config", configWith(ws, pidFile), "go"], { ...cliOptions(ws, fake), stdin: "open" });
    expect(await eventually(() => existsSync(pidFile), 10_000)).toBe(true);
    const pids = pidsIn(pidFile);
    await cli.waitFor("it crashed", 15_000);
    // While mini-claude still runs: the crash, not our exit, ended them.
    expect(await allGone(pids)).toBe(true);
    expect(isAlive(cli.child.pid!)).toBe(true);
    cli.child.stdin!.end();
    const result = await cli.done;
    expect(result.code).toBe(0);
    expect(fake.requests[1].messages.at(-1).content).toMatch(/^Error: MCP server "test" stopped during the call/);
  });

  // With the sandbox on, as people run it, and off: the tether does not depend on it.
  it.skipIf(BWRAP_PROBLEM)(sandboxSuite("after kill -9 of mini-claude with the sandbox on, the server, its child and its orphan are gone within seconds"), () =>
    killedHard("on"));
  it("after kill -9 of mini-claude with the sandbox off, the same", () => killedHard("off"));

  it("/mcp reconnect and the end of the session take the orphan down with the server", async () => {
    const ws = tempWorkspace();
    const pidFile = join(ws.outside, "pids");
    const fake = await fakeOpenAI([reply().text("Started."), reply().text("Again.")]);
    const cli = startCli(["--mcp-config", configWith(ws, pidFile)], { ...cliOptions(ws, fake), stdin: "open" });
    cli.child.stdin!.write("hello\n");
    await cli.waitFor("Started.", 15_000);
    const first = pidsIn(pidFile);
    cli.child.stdin!.write("/mcp reconnect test\n");
    await cli.waitFor("MCP server test reconnected", 15_000);
    expect(await allGone(first)).toBe(true);
    const second = pidsIn(pidFile);
    expect(second[0]).not.toBe(first[0]);
    cli.child.stdin!.write("again\n");
    await cli.waitFor("Again.", 15_000);
    cli.child.stdin!.end();
    expect((await cli.done).code).toBe(0);
    expect(await allGone(second)).toBe(true);
  });
});

/** Start --print with the test server, kill -9 mini-claude while it waits on the model, and check the server's whole tree is gone. */
async function killedHard(sandbox: "on" | "off") {
  const ws = tempWorkspace();
  const pidFile = join(ws.outside, "pids");
  // The model never answers: mini-claude sits waiting, the server started, when it is killed.
  const fake = await fakeOpenAI([reply().text("never").hang(0)]);
  const cli = startCli(["-p", "--sandbox", sandbox, "--mcp-config", configWith(ws, pidFile), "go"], cliOptions(ws, fake));
  expect(await eventually(() => existsSync(pidFile) && pidsIn(pidFile).length === 3, 10_000)).toBe(true);
  expect(await eventually(() => fake.requests.length > 0, 10_000)).toBe(true);
  const pids = pidsIn(pidFile);
  expect(pids.every(isAlive)).toBe(true);
  cli.child.kill("SIGKILL");
  await cli.done;
  // The server ignores its stdin's end (its child keeps it running): only the tether ends it.
  expect(await allGone(pids)).toBe(true);
}
