import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { isAlive } from "../../src/processes/process-tree.js";
import { BWRAP_PROBLEM, sandboxSuite } from "../support/bwrap.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { DEV_SERVER_FILES, devServerGone, eventually, hostPid, readDevServerPids } from "../support/processes.js";
import { startPty } from "../support/pty.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();
const tools = (request: any) => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);

/** The escapee's pid as written from inside the sandbox, as this test sees it. */
async function escapeePid(root: string): Promise<number> {
  await eventually(() => existsSync(join(root, "escapee.pid")), 10_000);
  return hostPid(Number(readFileSync(join(root, "escapee.pid"), "utf8")), root);
}
const ESCAPE = `setsid sh -c 'echo $$ > escapee.pid; exec sleep 300' > /dev/null 2>&1 &`;

describe.skipIf(BWRAP_PROBLEM)(sandboxSuite("the sandbox (bwrap)"), () => {
  it("writes inside the workspace succeed, outside fail; .git/config stays; no stub for protected paths that did not exist", async () => {
    const ws = tempWorkspace({ ".git/config": "[core]\n\tbare = false\n" });
    const command = "echo in > inside.txt; echo out > ../outside/escaped.txt; echo '[alias]' >> .git/config; echo tmp > /tmp/t && cat /tmp/t";
    const fake = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Done.")]);
    // No --yes: with the sandbox on, a command inside the boundary runs without asking.
    const result = await runCli(["-p", "write some files"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const observation = tools(fake.requests[1])[0];
    expect(readFileSync(join(ws.root, "inside.txt"), "utf8")).toBe("in\n");
    expect(existsSync(join(ws.outside, "escaped.txt"))).toBe(false);
    expect(readFileSync(join(ws.root, ".git/config"), "utf8")).toBe("[core]\n\tbare = false\n");
    expect(observation).toMatch(/Read-only file system/);
    expect(observation).toContain("tmp\n");
    expect(observation).toContain("Sandbox: that write was blocked.");
    expect(existsSync(join(ws.root, ".git/hooks"))).toBe(false);
    expect(existsSync(join(ws.root, ".mini-claude"))).toBe(false);
  });

  it("a foreground command has no network and is told how to ask; a background server is reachable from outside", async () => {
    const server = createServer((socket) => socket.end("hi\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as any).port;
    const ws = tempWorkspace(DEV_SERVER_FILES);
    const connect = `node -e 'require("net").connect(${port}, "127.0.0.1").on("data", d => process.stdout.write(d)).on("error", e => { console.log(e.message); process.exit(1) })'`;
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: connect }),
      reply().tool("exec", { command: "npm run dev" }),
      reply().text("Still thinking").hang(2),
    ]);
    const cli = startCli(["-p", "try the network"], cliOptions(ws, fake));
    try {
      const pids = await readDevServerPids(ws.root);
      const response = await fetch(`http://127.0.0.1:${pids.port}/`);
      expect(await response.text()).toBe("hello from dev");
      await eventually(() => fake.requests.length === 3, 10_000);
      const offline = tools(fake.requests[2])[0];
      expect(offline).toMatch(/ECONNREFUSED/);
      expect(offline).toContain("Sandbox: this command had no network");
      expect(offline).toContain("network: true");
      cli.child.kill("SIGTERM");
      await cli.done;
      expect(await devServerGone(pids)).toBe(true);
    } finally {
      server.close();
      cli.child.kill("SIGKILL");
    }
  });

  it("a setsid escapee dies with its foreground command", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: `${ESCAPE} sleep 0.3` }), reply().text("Done.")]);
    const cli = startCli(["-p", "escape"], cliOptions(ws, fake));
    const pid = await escapeePid(ws.root);
    expect((await cli.done).code).toBe(0);
    expect(await eventually(() => !isAlive(pid), 5000)).toBe(true);
  });

  it("a setsid escapee of a background job dies after kill -9 of mini-claude", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: `${ESCAPE} echo ready; sleep 300`, background: true }),
      reply().text("Waiting").hang(2),
    ]);
    const cli = startCli(["-p", "escape in the background"], cliOptions(ws, fake));
    const pid = await escapeePid(ws.root);
    expect(pid).not.toBe(Number(readFileSync(join(ws.root, "escapee.pid"), "utf8")));
    await eventually(() => fake.requests.length === 2, 10_000);
    expect(isAlive(pid)).toBe(true);
    cli.child.kill("SIGKILL");
    await cli.done;
    expect(await eventually(() => !isAlive(pid), 5000)).toBe(true);
  });

  it("approvals: inside the boundary runs unasked; destructive shapes and network still need the person", async () => {
    const ws = tempWorkspace({ "sub/keep.txt": "keep\n" });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "touch made.txt" }),
      reply().tool("exec", { command: "rm -rf sub" }),
      reply().tool("exec", { command: "curl example.com", network: true }),
      reply().text("Done."),
    ]);
    const result = await runCli(["-p", "try things"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const [made, removed, network] = tools(fake.requests[3]);
    expect(made).toMatch(/exit code 0/);
    expect(existsSync(join(ws.root, "made.txt"))).toBe(true);
    expect(removed).toBe("Error: not run: this command deletes recursively (rm -r), and --print cannot ask the user. Tell the user: only --yes runs a command of this shape without asking.");
    expect(existsSync(join(ws.root, "sub/keep.txt"))).toBe(true);
    expect(network).toMatch(/^Error: not run: it needs the network \(network: true\), which the sandbox blocks, and --print cannot ask the user\. Tell the user to re-run with --allow-net/);
  });

  it("the REPL says the regime, runs a plain command unasked, asks before rm -rf; /sandbox shows the argv", async () => {
    const ws = tempWorkspace({ "sub/keep.txt": "keep\n" });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "touch plain.txt" }),
      reply().tool("exec", { command: "rm -rf sub" }),
      reply().text("Kept it."),
    ]);
    const pty = startPty([], cliOptions(ws, fake));
    await pty.waitFor("Sandbox on: commands run without asking inside the workspace");
    await pty.waitFor("mini-claude> ");
    pty.type("tidy up\r");
    await pty.waitFor(/Command:\n\s+rm -rf sub\n[^]*Run this command\? \[y\]es \/ \[n\]o \(add a reason\) \/ \[a\]lways: /);
    expect(existsSync(join(ws.root, "plain.txt"))).toBe(true);
    pty.type("n\r");
    await pty.waitFor("Kept it.");
    pty.type("/sandbox\r");
    await pty.waitFor("-- <shell> -c <command>");
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).not.toContain("Command:\n  touch plain.txt");
    // The terminal wraps the long argv; joined, it is one line again.
    expect(screen.replace(/\n/g, "")).toMatch(/Last command's sandbox:\s+\S*bwrap --ro-bind \/ \/ .*--bind \S+ \/tmp .*--unshare-pid --new-session --die-with-parent --unshare-net/);
    expect(existsSync(join(ws.root, "sub/keep.txt"))).toBe(true);
  });

  it("in a git worktree whose git folder is outside the workspace, commits work; hooks and config stay read-only", async () => {
    const ws = tempWorkspace();
    const main = join(ws.outside, "main");
    const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, encoding: "utf8" });
    mkdirSync(main);
    git(main, "init", "-q", "-b", "main");
    writeFileSync(join(main, "a.txt"), "a\n");
    git(main, "add", "a.txt");
    git(main, "commit", "-qm", "first");
    const worktree = join(ws.root, "wt");
    git(main, "worktree", "add", "-q", worktree, "-b", "topic");
    const config = readFileSync(join(main, ".git/config"), "utf8");
    const command =
      "echo b > b.txt && git add b.txt && git -c user.name=t -c user.email=t@t commit -qm second && echo committed; " +
      "git config core.hooksPath /tmp/evil; echo evil > ../../outside/main/.git/hooks/pre-commit";
    const fake = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Done.")]);
    await runCli(["-p", "commit"], cliOptions(ws, fake, { cwd: worktree }));
    expect(tools(fake.requests[1])[0]).toContain("committed");
    expect(git(main, "log", "--format=%s", "topic")).toBe("second\nfirst\n");
    expect(readFileSync(join(main, ".git/config"), "utf8")).toBe(config);
    expect(existsSync(join(main, ".git/hooks/pre-commit"))).toBe(false);
  });

  it("the REPL asks for the network each time, unless `p` remembered the command's prefix", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "node -e 'console.log(1)'", network: true }),
      reply().tool("exec", { command: "node -e 'console.log(2)'", network: true }),
      reply().tool("exec", { command: "sh -c 'echo 3'", network: true }),
      reply().text("Done."),
    ]);
    const result = await runCli([], cliOptions(ws, fake, { stdin: ["use the network", "p", "yes please", ""].join("\n") }));
    expect(result.code).toBe(0);
    const why = "Asking because it needs the network (network: true), which the sandbox blocks.";
    expect(result.stdout).toContain(`Command:\n  node -e 'console.log(1)'\n${why}\nRun this command?`);
    expect(result.stdout).toContain("Allowed `node` for this session (/approvals to revoke).");
    expect(result.stdout).not.toContain("Command:\n  node -e 'console.log(2)'");
    expect(result.stdout).toContain(`Command:\n  sh -c 'echo 3'\n${why}\nRun this command?`);
    expect(tools(fake.requests[3]).map((t: string) => t.split("\n")[0])).toEqual(["1", "2", "3"]);
  });

  it("protects an existing .mini-claude folder and .git/hooks", async () => {
    const ws = tempWorkspace({ ".mini-claude/settings.json": "{}", ".git/hooks/pre-commit": "#!/bin/sh\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "echo evil > .git/hooks/pre-commit; echo x > .mini-claude/settings.json" }), reply().text("Done.")]);
    await runCli(["-p", "tamper"], cliOptions(ws, fake));
    expect(readFileSync(join(ws.root, ".git/hooks/pre-commit"), "utf8")).toBe("#!/bin/sh\n");
    expect(readFileSync(join(ws.root, ".mini-claude/settings.json"), "utf8")).toBe("{}");
  });
});

describe("without bwrap", () => {
  it("says why the sandbox is off and what to install; commands then need approval as before", async () => {
    const ws = tempWorkspace();
    const bin = join(ws.home, "bin");
    mkdirSync(bin);
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch made.txt" }), reply().text("Could not.")]);
    const result = await runCli(["-p", "make a file"], cliOptions(ws, fake, { env: { PATH: bin } }));
    expect(result.stderr).toContain("mini-claude: sandbox off: bwrap not found (install the bubblewrap package, e.g. apt-get install bubblewrap); commands ask for approval.");
    expect(existsSync(join(ws.root, "made.txt"))).toBe(false);
    expect(tools(fake.requests[1])[0]).toMatch(/^Error: not run: the sandbox is off, so every command asks, and --print cannot ask the user\. Tell the user to re-run with --yes/);
  });

  it("--sandbox=on refuses to run commands at all", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch made.txt" }), reply().text("Could not.")]);
    await runCli(["--yes", "--sandbox=on", "-p", "make a file"], cliOptions(ws, fake, { env: { PATH: join(ws.home, "nothing") } }));
    expect(existsSync(join(ws.root, "made.txt"))).toBe(false);
    expect(tools(fake.requests[1])[0]).toMatch(/^Error: the sandbox is required \(--sandbox=on\) but unavailable: sandbox off: bwrap not found/);
  });
});
