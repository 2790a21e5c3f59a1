import { describe, expect, it, onTestFinished } from "vitest";
import { isAlive, processTree } from "../../src/processes/process-tree.js";
import { JobManager } from "../../src/processes/jobs.js";
import { killAll } from "../../src/processes/children.js";
import { runTool, toolSpecs, type ToolContext } from "../../src/tools/index.js";
import { looksLikeDaemon } from "../../src/tools/daemon-commands.js";
import { tempWorkspace } from "../support/workspace.js";

interface Harness {
  call(args: unknown): ReturnType<typeof runTool>;
  asked: string[];
  processes: JobManager;
}

function harness(root: string, options: { deny?: string | true; signal?: AbortSignal } = {}): Harness {
  const asked: string[] = [];
  const processes = new JobManager({ startupMs: 1500, graceMs: 300 });
  onTestFinished(() => killAll());
  const ctx: ToolContext = {
    root,
    signal: options.signal ?? new AbortController().signal,
    jobs: processes,
    approve: async (request) => {
      asked.push(request.kind === "command" ? request.command : request.kind);
      if (options.deny === undefined) return { approved: true };
      return options.deny === true ? { approved: false } : { approved: false, reason: options.deny };
    },
  };
  return { call: (args) => runTool({ name: "exec", arguments: JSON.stringify(args) }, ctx), asked, processes };
}

describe("exec in the foreground", () => {
  it("reports output and exit code; a non-zero exit is an observation, not an error", async () => {
    const ws = tempWorkspace();
    const { call, asked } = harness(ws.root);
    const result = await call({ command: "pwd; echo oops >&2; exit 3" });
    expect(result.ok).toBe(true);
    expect(result.label).toBe("exec pwd; echo oops >&2; exit 3");
    expect(result.output).toMatch(new RegExp(`^${ws.root}\\noops\\n\\nexit code 3 \\(\\d+\\.\\ds\\)$`));
    expect((await call({ command: "true" })).output).toMatch(/^\(no output\)\n\nexit code 0 \(\d+\.\ds\)$/);
    expect(asked).toEqual(["pwd; echo oops >&2; exit 3", "true"]);
  });

  it("kills a command at its timeout, keeps the output so far, and says what to do next", async () => {
    const { call } = harness(tempWorkspace().root);
    const slow = await call({ command: "echo partial; echo pid $$; sleep 30", timeout_ms: 400 });
    expect(slow.output).toMatch(
      /^Timed out after 0\.4s; the command's process tree was killed\.\nOutput so far:\npartial\npid \d+\n\nIf it needs longer, raise timeout_ms \(max 600000\)\.$/,
    );
    expect(slow.display).toBe("Timed out after 0.4s; the command's process tree was killed.");
    expect(isAlive(Number(/pid (\d+)/.exec(slow.output)?.[1]))).toBe(false);
    const server = await call({
      command: `node -e "console.log('listening on http://localhost:4321'); setInterval(() => {}, 1000)"`,
      timeout_ms: 600,
      background: false,
    });
    expect(server.output).toContain("If it is a server or watcher, run it with background: true.");
  });

  it("says when the person interrupted the command", async () => {
    const controller = new AbortController();
    const { call } = harness(tempWorkspace().root, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const result = await call({ command: "sleep 30" });
    expect(result.output).toMatch(/^Interrupted by the user after \d+\.\ds; the command's process tree was killed\.\nIt printed nothing\.$/);
    expect(result.display).toBe(result.output.split("\n")[0]);
    const later = new AbortController();
    const printing = harness(tempWorkspace().root, { signal: later.signal });
    setTimeout(() => later.abort(), 300);
    const partial = await printing.call({ command: "echo first; sleep 30" });
    expect(partial.output).toMatch(/^Interrupted by the user after \d+\.\ds; the command's process tree was killed\.\nOutput so far:\nfirst$/);
  });

  it("puts an ending by signal first, and keeps \"exit code N\" for normal exits", async () => {
    const { call } = harness(tempWorkspace().root);
    const killed = await call({ command: "echo bye; kill -9 $$" });
    expect(killed.output).toMatch(/^Killed by SIGKILL after \d+\.\ds\.\nOutput:\nbye$/);
    const exited = await call({ command: "echo hi; exit 2" });
    expect(exited.output).toMatch(/^hi\n\nexit code 2 \(\d+\.\ds\)$/);
    expect(exited.display).toMatch(/^exit 2 · \d+\.\ds$/);
  });

  it("tells how much output was cut", async () => {
    const { call } = harness(tempWorkspace().root);
    const result = await call({ command: "seq 1 100000" });
    expect(result.output).toMatch(/^1\n2\n3\n/);
    expect(result.output).toMatch(/\n100000\n\nexit code 0 \(\d+\.\ds\)$/);
    // Said once, in the one wording every capped output uses.
    expect(result.output.match(/bytes cut/g)).toHaveLength(1);
    expect(result.output).toMatch(/\n\n\[\.\.\. \d+ bytes cut from the middle of this output \.\.\.\]\n\n/);
    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(50 * 1024);
  });
});

describe("exec approval", () => {
  it("runs nothing the user denied and passes their reason on", async () => {
    const ws = tempWorkspace();
    const { call, asked } = harness(ws.root, { deny: "use pnpm instead." });
    const result = await call({ command: "touch made.txt" });
    expect(result).toMatchObject({
      ok: false,
      output: "Error: the user denied this command: use pnpm instead. Do not run it again unchanged; adjust it or ask the user.",
    });
    expect(asked).toEqual(["touch made.txt"]);
    expect(() => ws.read("made.txt")).toThrow();
    const background = await harness(ws.root, { deny: true }).call({ command: "npm run dev" });
    expect(background.output).toBe("Error: the user denied this command. Do not run it again unchanged; adjust it or ask the user.");
  });

  it("does not ask for bg_list, bg_logs and bg_kill, which only touch our own jobs", async () => {
    const { call, asked } = harness(tempWorkspace().root, { deny: true });
    expect((await call({ command: "bg_list" })).output).toBe("No background jobs.");
    expect((await call({ command: "bg_logs 3" })).output).toBe("Error: there is no background job 3; no jobs were started. Use bg_list.");
    expect((await call({ command: "bg_kill" })).output).toBe('Error: bg_kill needs a job id, e.g. "bg_kill 1". Use bg_list to see the ids.');
    expect(asked).toEqual([]);
  });
});

describe("exec in the background", () => {
  it("gives each bg_* command its own outcome line, whatever the job printed", async () => {
    const { call } = harness(tempWorkspace().root);
    await call({ command: "echo 'tests: exit code 2'; sleep 30", background: true });
    const logs = await call({ command: "bg_logs 1" });
    expect(logs.output).toContain("tests: exit code 2");
    expect(logs.display).toBe("1 line of job 1");
    expect((await call({ command: "bg_list" })).display).toBe("1 job");
    const killed = await call({ command: "bg_kill 1" });
    expect(killed.display).toMatch(/^job 1 `echo 'tests: exit code 2'; sleep 30` stopped: \d+ process(es)? ended \(pids [\d, ]+\)\. · \d+\.\ds$/);
  });

  it("routes a dev server to the background and manages it with bg_list, bg_logs and bg_kill", async () => {
    const ws = tempWorkspace({
      "package.json": JSON.stringify({ name: "app", private: true, scripts: { dev: "node server.js" } }),
      "server.js": `require("node:http").createServer((q, s) => s.end("ok")).listen(0, "127.0.0.1", function () {
        console.log("ready at http://localhost:" + this.address().port);
      });`,
    });
    const { call } = harness(ws.root);
    const started = await call({ command: "npm run dev" });
    expect(started.label).toBe("exec npm run dev (background)");
    expect(started.output).toMatch(
      /^Started background job 1 \(pid \d+\) `npm run dev`: running, url http:\/\/localhost:\d+\. It keeps running in the background; check it with bg_logs 1, stop it with bg_kill 1\.\nOutput so far:\n/,
    );
    const pid = Number(/pid (\d+)/.exec(started.output)?.[1]);
    const tree = processTree(pid);
    expect((await call({ command: "bg_list" })).output).toMatch(/^id\s+pid\s+state.*\n1\s+\d+\s+running\s+\d+s\s+http:\/\/localhost:\d+\s+npm run dev$/);
    expect((await call({ command: "bg_logs 1 1" })).output).toMatch(/^job 1 `npm run dev` \(running\): last 1 of \d+ lines\nready at http:\/\/localhost:\d+$/);
    const killed = await call({ command: "bg_kill 1" });
    expect(killed.output).toMatch(/^job 1 `npm run dev` stopped: \d+ process(?:es)? ended \(pids [\d, ]+\)\.$/);
    expect(tree.filter(isAlive)).toEqual([]);
    expect((await call({ command: "bg_kill 1" })).output).toBe("job 1 `npm run dev` had already ended; nothing to kill.");
  });

  it("stops waiting for a starting job when the person interrupts, and says the job keeps running", async () => {
    const controller = new AbortController();
    const { call, processes } = harness(tempWorkspace().root, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    const began = Date.now();
    const result = await call({ command: "echo compiling; sleep 30", background: true });
    expect(Date.now() - began).toBeLessThan(1000);
    expect(result.output).toMatch(
      /^Started background job 1 \(pid \d+\) `echo compiling; sleep 30`: running; the person interrupted the startup wait\. It keeps running in the background; check it with bg_logs 1, stop it with bg_kill 1\.\nOutput so far:\ncompiling$/,
    );
    expect(processes.list()[0].state).toBe("running");
  });

  it("reports a background command that fails at once", async () => {
    const { call } = harness(tempWorkspace().root);
    const result = await call({ command: `node -e "console.log('Error: port in use'); process.exit(5)"`, background: true });
    expect(result.ok).toBe(true);
    expect(result.output).toBe(
      "The background job 1 (pid " +
        /pid (\d+)/.exec(result.output)?.[1] +
        ") `node -e \"console.log('Error: port in use'); process.exit(5)\"` failed during startup: it exited with code 5; it is not running.\nOutput:\nError: port in use",
    );
  });
});

describe("looksLikeDaemon", () => {
  it.each([
    "npm run dev",
    "npm start",
    "yarn dev",
    "pnpm --filter web dev",
    "bun run serve",
    "npm run start:dev",
    "cd web && npm run dev",
    "PORT=3000 npm start",
    "npx vite",
    "vite --port 3000",
    "npx next dev",
    "webpack serve --mode development",
    "nodemon app.js",
    "uvicorn main:app --reload",
    "gunicorn app:app",
    "flask run --port 5000",
    "python -m http.server 8000",
    "python3 manage.py runserver",
    "rails s",
    "bundle exec rails server",
    "php -S localhost:8000",
    "tail -f log.txt",
    "tail -n 50 -F app.log | grep error",
    "tsc --watch",
    "docker compose up",
    "jupyter lab",
    "make dev",
    "git commit -m 'a; b' && npm run dev",
    "echo 'starting…'; npm run dev",
    // A shell's -c script is classified like the command itself.
    'bash -c "cd web && npm run dev"',
    "sh -c 'npm start'",
  ])("sends %s to the background", (command) => {
    expect(looksLikeDaemon(command)).toBe(true);
  });

  it.each([
    "npm install --save-dev vite",
    "git checkout dev-branch",
    "git checkout dev",
    "npm run build",
    "npm run devtools",
    "npm test",
    "vite build",
    "npx vite build --watch=false",
    "docker compose up -d",
    "echo start",
    "ls src/dev",
    "tail -n 20 log.txt",
    "cat serve.log",
    "grep -rn watch src",
    "python script.py",
    "make build",
    "npm ci && npm run lint",
    "git commit -m 'fix; npm run dev'",
    'git commit -m "wip && npm start"',
    'echo "npm run dev"',
    "echo $'a\\'; npm run dev'",
    'grep -rn "--watch" src',
    "echo npm run dev \\; vite",
    "bash -c 'npm run build'",
  ])("keeps %s in the foreground", (command) => {
    expect(looksLikeDaemon(command)).toBe(false);
  });
});

describe("exec spec", () => {
  it("keeps its description within the prompt budget and explains background jobs", () => {
    const spec = (toolSpecs() as { function: { name: string; description: string; parameters: unknown } }[]).find(
      (entry) => entry.function.name === "exec",
    )!;
    expect(spec.function.description.length).toBeLessThan(560);
    for (const word of ["background", "bg_list", "bg_logs <id> [n]", "bg_kill <id>", "exit code"]) {
      expect(spec.function.description).toContain(word);
    }
    expect(spec.function.parameters).toMatchObject({
      type: "object",
      required: ["command"],
      properties: { command: { type: "string" }, timeout_ms: { type: "integer", maximum: 600000 }, background: { type: "boolean" } },
    });
  });
});
