import { execSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isAlive, processTree, terminate } from "../../src/processes/process-tree.js";
import { JOB_PORT_PROBLEM, jobPortTest } from "../support/bwrap.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { DEV_SERVER_FILES, devServerGone, eventually, readDevServerPids, type DevServerPids } from "../support/processes.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const tools = (request: any) => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);

describe("background jobs through the model", () => {
  it("starts a dev server, lists it, reads its logs and kills it; nothing is left", async () => {
    const ws = tempWorkspace(DEV_SERVER_FILES);
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "npm run dev" }),
      reply().tool("exec", { command: "bg_list" }),
      reply().tool("exec", { command: "bg_logs 1" }),
      reply().tool("exec", { command: "bg_kill 1" }),
      reply().text("The server ran and is stopped."),
    ]);
    const result = await runCli(["--yes", "-p", "start the dev server, check it, stop it"], cliOptions(ws, fake));
    expect(result).toMatchObject({ code: 0, stdout: "The server ran and is stopped.\n" });
    const pids = await readDevServerPids(ws.root);
    const [started, listed, logs, killed] = tools(fake.requests[4]);
    expect(started).toContain(`http://localhost:${pids.port}/`);
    expect(started).toMatch(/job 1/i);
    expect(listed).toMatch(/npm run dev/);
    expect(listed).toMatch(/running/);
    expect(logs).toContain(`listening on http://localhost:${pids.port}/`);
    expect(killed).toMatch(/job 1/i);
    expect(result.stderr).toContain(`└ job 1 running at http://localhost:${pids.port}/`);
    expect(result.stderr).toMatch(/• bg_list\n  └ 1 job\n/);
    expect(await devServerGone(pids)).toBe(true);
  });

  it("kills every background job when --print ends", async () => {
    const ws = tempWorkspace(DEV_SERVER_FILES);
    const fake = await fakeOpenAI([reply().tool("exec", { command: "npm run dev" }), reply().text("Started.")]);
    const result = await runCli(["--yes", "-p", "start it"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(await devServerGone(await readDevServerPids(ws.root))).toBe(true);
  });

  it("Ctrl-C in --print mid-turn exits 130 and kills the jobs it started", async () => {
    const ws = tempWorkspace(DEV_SERVER_FILES);
    const fake = await fakeOpenAI([reply().tool("exec", { command: "npm run dev" }), reply().text("Still thinking").hang(2)]);
    const cli = startCli(["--yes", "-p", "start it and wait"], cliOptions(ws, fake));
    const pids = await readDevServerPids(ws.root);
    await eventually(() => fake.requests.length === 2, 10_000);
    cli.child.kill("SIGINT");
    expect((await cli.done).code).toBe(130);
    expect(await devServerGone(pids)).toBe(true);
  });

  it("SIGINT to a REPL with piped input stops the turn; two at the idle prompt exit and kill the jobs", async () => {
    const ws = tempWorkspace(DEV_SERVER_FILES);
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "npm run dev" }),
      reply().text("Waiting").hang(2),
      reply().text("Back again."),
    ]);
    const cli = startCli(["--yes"], cliOptions(ws, fake, { stdin: "open" }));
    cli.child.stdin!.write("start the server\n");
    const pids = await readDevServerPids(ws.root);
    await eventually(() => fake.requests.length === 2, 10_000);
    cli.child.kill("SIGINT");
    cli.child.stdin!.write("are you there?\n");
    await cli.waitFor("Back again.");
    cli.child.kill("SIGINT");
    await cli.waitFor("press Ctrl-C again to exit");
    cli.child.kill("SIGINT");
    expect((await cli.done).code).toBe(0);
    expect(await devServerGone(pids)).toBe(true);
    expect(fake.requests[2].messages.at(-2)).toMatchObject({ role: "assistant", content: "Waiting" });
  });

  it("kills every background job when the REPL gets SIGTERM", async () => {
    const ws = tempWorkspace(DEV_SERVER_FILES);
    const fake = await fakeOpenAI([reply().tool("exec", { command: "npm run dev" }), reply().text("Running.")]);
    const cli = startCli(["--yes"], cliOptions(ws, fake, { stdin: "open" }));
    cli.child.stdin!.write("start the server\n");
    await cli.waitFor("Running.");
    const pids = await readDevServerPids(ws.root);
    expect(isAlive(pids.worker)).toBe(true);
    cli.child.kill("SIGTERM");
    await cli.done;
    expect(await devServerGone(pids)).toBe(true);
  });

  it("SIGTERM to the REPL with a job, a hook and an MCP server running leaves no process of theirs behind", async () => {
    const ws = tempWorkspace({ ...DEV_SERVER_FILES, "a.txt": "alpha\n" });
    const mcpPids = join(ws.outside, "mcp.pids");
    const server = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));
    writeFileSync(join(ws.home, "mcp.json"), JSON.stringify({ mcpServers: { test: { command: process.execPath, args: [server], env: { PID_FILE: mcpPids } } } }));
    // The hook hangs (with a child of its own) while the job and the server run.
    const hook = { type: "command", command: "echo $$ > hook.pid; sleep 300 & echo $! > hook-child.pid; wait", timeout: 600 };
    writeFileSync(join(ws.home, "settings.json"), JSON.stringify({ hooks: { PreToolUse: [{ matcher: "Read", hooks: [hook] }] } }));
    const fake = await fakeOpenAI([reply().tool("exec", { command: "npm run dev" }), reply().tool("read_file", { path: "a.txt" }), reply().text("Read it.")]);
    // Sandbox off: bwrap's --die-with-parent would take the job down by itself; here only our kill does.
    const cli = startCli(["--yes", "--sandbox=off"], cliOptions(ws, fake, { stdin: "open" }));
    cli.child.stdin!.write("start the server, then read a.txt\n");
    await eventually(() => existsSync(join(ws.root, "pids.json")), 10_000);
    const pids = await readDevServerPids(ws.root);
    expect(await eventually(() => existsSync(join(ws.root, "hook-child.pid")) && existsSync(mcpPids), 10_000)).toBe(true);
    // The MCP server's orphan (a grandchild whose parent already exited) is nobody's descendant: only its process group finds it.
    const [mcpServer, mcpChild, mcpOrphan] = readFileSync(mcpPids, "utf8").trim().split(" ").map(Number);
    const ours = [
      pids.server,
      pids.worker,
      mcpServer,
      mcpChild,
      ...["hook.pid", "hook-child.pid"].map((file) => Number(readFileSync(join(ws.root, file), "utf8"))),
    ];
    const descendants = processTree(cli.child.pid!).filter((pid) => pid !== cli.child.pid);
    // Named, so a failure says which one was gone too early.
    const roles = ["dev server", "its worker", "MCP server", "its child", "hook", "hook's child", "MCP orphan"];
    expect([...ours, mcpOrphan].map((pid, i) => `${roles[i]} ${pid}`).filter((_, i) => ![...ours, mcpOrphan].map(isAlive)[i])).toEqual([]);
    expect(descendants).toEqual(expect.arrayContaining(ours));
    cli.child.kill("SIGTERM");
    expect((await cli.done).code).toBe(143);
    expect(await eventually(() => [...ours, mcpOrphan, ...descendants].every((pid) => !isAlive(pid)), 10_000)).toBe(true);
    expect(await devServerGone(pids)).toBe(true);
  });

  it.skipIf(JOB_PORT_PROBLEM)(jobPortTest("--keep-background leaves a dev server that still answers after --print has exited"), async () => {
    const ws = tempWorkspace(DEV_SERVER_FILES);
    // A TMPDIR of its own: the job log directory the kept server still writes to is then easy to find and remove.
    const tmp = join(ws.home, "tmp");
    mkdirSync(tmp);
    const fake = await fakeOpenAI([reply().tool("exec", { command: "npm run dev" }), reply().text("Left running.")]);
    const cli = startCli(["--yes", "--keep-background", "-p", "start it"], cliOptions(ws, fake, { env: { TMPDIR: tmp } }));
    const result = await cli.done;
    const started = fake.requests[1] ? tools(fake.requests[1])[0] : "";
    const pgid = Number(/background job 1 \(pid (\d+)\)/.exec(started)?.[1]);
    let pids: DevServerPids | undefined;
    try {
      expect(result).toMatchObject({ code: 0, stdout: "Left running.\n" });
      pids = await readDevServerPids(ws.root);
      // The server logs the request before answering: its output must still have somewhere to go.
      const response = await fetch(`http://127.0.0.1:${pids.port}/`);
      expect(await response.text()).toBe("hello from dev");
      const logDirs = readdirSync(tmp).filter((name) => name.startsWith(`mini-claude-${cli.child.pid}-`));
      expect(logDirs).toHaveLength(1);
      expect(readFileSync(join(tmp, logDirs[0], "job-1.log"), "utf8")).toContain("GET /\n");
      const stop = new RegExp(`Left running: job 1 \`npm run dev\` \\(pid ${pgid}\\) at http://localhost:${pids.port}/; output in ${join(tmp, logDirs[0], "job-1.log")}; stop it with: (kill -- -${pgid}.*)`).exec(result.stderr)?.[1];
      expect(stop).toBeDefined();
      // The command it prints stops the job and the forward of its port.
      execSync(stop!);
      expect(await devServerGone(pids)).toBe(true);
      await expect(fetch(`http://127.0.0.1:${pids.port}/`)).rejects.toThrow();
    } finally {
      await terminate(pgid);
      for (const pid of pids ? [pids.worker, pids.server] : []) if (isAlive(pid)) process.kill(pid, "SIGKILL");
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(await devServerGone(pids!)).toBe(true);
  });

  it("tells the model at its next turn that a job exited on its own, and /bg shows jobs to the person", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "echo server ready; sleep 0.6; echo crashed >&2; exit 3", background: true }),
      reply().text("Started the job."),
      reply().text("It crashed."),
    ]);
    const cli = startCli(["--yes"], cliOptions(ws, fake, { stdin: "open" }));
    cli.child.stdin!.write("start the job\n");
    await cli.waitFor("Started the job.");
    await new Promise((r) => setTimeout(r, 1200));
    cli.child.stdin!.write("/bg\nhow is it?\n");
    await cli.waitFor("It crashed.");
    cli.child.stdin!.end();
    const result = await cli.done;
    expect(result.stdout).toMatch(/1\s+\d+\s+.*exited\(3\)/);
    const notice = fake.requests[2].messages.at(-1).content;
    expect(notice).toMatch(/^background job 1 `echo server ready; sleep 0\.6; echo crashed >&2; exit 3` exited with code 3/);
    expect(notice).toContain("crashed");
    expect(notice.endsWith("how is it?")).toBe(true);
  });

  it("--print: a job that dies while the model is still working is reported in the next tool result", async () => {
    const ws = tempWorkspace();
    const job = "echo server ready; sleep 0.5; echo 'fatal: port 3000 taken' >&2; exit 3";
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: job, background: true }),
      reply().tool("exec", { command: "sleep 1.5; echo tests passed" }),
      reply().text("The tests pass, but the server died: port 3000 is taken."),
    ]);
    const result = await runCli(["--yes", "-p", "start the server and run the tests"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(result).toMatchObject({ code: 0, stdout: "The tests pass, but the server died: port 3000 is taken.\n" });
    const [started, tests] = tools(fake.requests[2]);
    expect(started).not.toContain("exited");
    expect(tests).toMatch(/^tests passed\n\nexit code 0 \(\d+\.\ds\)\n\nNotice: background job 1 `.*` exited with code 3; last output:\n.*fatal: port 3000 taken/s);
    expect(result.stderr).toContain(`background job 1 \`${job}\` exited with code 3`);
  });
});

describe("approval of shell commands", () => {
  it("--print without --yes (sandbox off) refuses exec and tells the model how to allow it", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch made.txt" }), reply().text("I could not run it.")]);
    const result = await runCli(["--sandbox=off", "-p", "make a file"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(existsSync(join(ws.root, "made.txt"))).toBe(false);
    expect(tools(fake.requests[1])[0]).toBe(
      "Error: not run: the sandbox is off, so every command asks, and --print cannot ask the user. " +
        'Tell the user to re-run with --yes, or allow it in settings: "permissions": {"allow": ["Bash(touch:*)"]}.',
    );
  });

  it("the REPL asks (sandbox off): n with a reason, y once, a for the rest of the session", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "touch one.txt" }),
      reply().text("Denied, ok."),
      reply().tool("exec", { command: "touch two.txt" }),
      reply().text("Made two."),
      reply().tool("exec", { command: "touch three.txt" }),
      reply().tool("exec", { command: "touch four.txt" }),
      reply().text("Made three and four."),
    ]);
    const stdin = ["first", "n not now please", "second", "y", "third", "a", ""].join("\n");
    const result = await runCli(["--sandbox=off"], cliOptions(ws, fake, { stdin }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Command:\n  touch one.txt\nAsking because the sandbox is off, so every command asks.\nRun this command? [Y]es / [n]o (add a reason) / [p] always `touch` / [a]lways: ");
    expect(result.stdout).not.toContain("Command:\n  touch four.txt");
    expect(tools(fake.requests[1])[0]).toBe(
      "Error: the user denied this command: not now please. Do not run it again unchanged; adjust it or ask the user.",
    );
    expect(["one.txt", "two.txt", "three.txt", "four.txt"].map((f) => existsSync(join(ws.root, f)))).toEqual([false, true, true, true]);
  });
});
