import { describe, expect, it } from "vitest";
import { isAlive } from "../../src/processes/process-tree.js";
import { runCommand, type RunOptions } from "../../src/processes/run.js";
import { commandEnv } from "../../src/processes/spawn.js";
import { MAX_OUTPUT_BYTES } from "../../src/truncate.js";
import { eventually } from "../support/processes.js";
import { tempWorkspace } from "../support/workspace.js";

function run(command: string, options: Partial<RunOptions> = {}) {
  return runCommand(command, { cwd: options.cwd ?? tempWorkspace().root, timeoutMs: 10_000, ...options });
}

/** Pids printed as "name 123" lines. */
function pids(output: string): Record<string, number> {
  return Object.fromEntries([...output.matchAll(/^(\w+) (\d+)$/gm)].map((match) => [match[1], Number(match[2])]));
}

/** True once `pid` is gone (zombies count as gone). */
const waitUntilDead = (pid: number, withinMs = 2000) => eventually(() => !isAlive(pid), withinMs);

describe("runCommand", () => {
  it("reports exit codes and interleaves stdout and stderr in terminal order", async () => {
    const ok = await run("echo one; echo two >&2; echo three; echo four >&2");
    expect(ok).toMatchObject({ output: "one\ntwo\nthree\nfour\n", exitCode: 0, timedOut: false, aborted: false, truncatedBytes: 0 });
    const failed = await run("echo before; exit 3");
    expect(failed).toMatchObject({ output: "before\n", exitCode: 3 });
    const missing = await run("definitely-not-a-command-xyz");
    expect(missing.exitCode).toBe(127);
    expect(missing.output).toContain("definitely-not-a-command-xyz");
    const alternating = await run(`node -e "for (let i = 0; i < 40; i++) (i % 2 ? process.stderr : process.stdout).write(i + ' ')"`);
    expect(alternating.output).toBe(`${Array.from({ length: 40 }, (_, i) => i).join(" ")} `);
  });

  it("gives commands a real pipe: /dev/stdout and /dev/stderr can be reopened, and plain pipes are the fallback", async () => {
    const reopen = "echo a; echo b >/dev/stdout; echo c | tee /dev/stderr; echo d >&2";
    expect(await run(reopen)).toMatchObject({ output: "a\nb\nc\nc\nd\n", exitCode: 0 });
    const path = process.env.PATH;
    // Without mkfifo on PATH the output comes through two ordinary pipes.
    process.env.PATH = "/nonexistent";
    try {
      expect(await run("echo one; echo two >&2; echo three")).toMatchObject({ output: "one\ntwo\nthree\n", exitCode: 0 });
    } finally {
      process.env.PATH = path;
    }
  });

  it("kills the whole tree on timeout, leader and grandchild alike", async () => {
    const script = "echo shell $$; sh -c 'echo child $$; sleep 30 & echo grandchild $!; wait'; echo unreachable";
    const result = await run(script, { timeoutMs: 700 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.durationMs).toBeLessThan(2500);
    const { shell, child, grandchild } = pids(result.output);
    expect([shell, child, grandchild].every(Number.isInteger)).toBe(true);
    expect(result.output).not.toContain("unreachable");
    for (const pid of [shell, child, grandchild]) expect(await waitUntilDead(pid)).toBe(true);
  });

  it("returns when the shell exits and kills what it left running, even if it ignores SIGTERM", async () => {
    const result = await run("sleep 300 & echo sleeper $!; (trap '' TERM; sleep 300; :) & echo stubborn $!; echo started");
    expect(result.exitCode).toBe(0);
    expect(result.durationMs).toBeLessThan(1000);
    expect(result.output).toMatch(/started\n$/);
    const { sleeper, stubborn } = pids(result.output);
    expect(await waitUntilDead(sleeper, 1000)).toBe(true);
    expect(await waitUntilDead(stubborn, 2000)).toBe(true);
  });

  it("SIGKILLs a command that ignores SIGTERM after the grace period", async () => {
    const result = await run("trap '' TERM; echo shell $$; sleep 30; :", { timeoutMs: 300 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: "SIGKILL" });
    expect(result.durationMs).toBeGreaterThanOrEqual(500);
    expect(result.durationMs).toBeLessThan(2000);
    expect(isAlive(pids(result.output).shell)).toBe(false);
  });

  it("stops on abort and does not start when already aborted", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await run("echo shell $$; sleep 30", { signal: controller.signal });
    expect(result).toMatchObject({ aborted: true, timedOut: false, exitCode: null });
    expect(result.durationMs).toBeLessThan(1500);
    expect(await waitUntilDead(pids(result.output).shell)).toBe(true);
    const ws = tempWorkspace();
    const skipped = await run("touch ran.txt", { cwd: ws.root, signal: controller.signal });
    expect(skipped).toMatchObject({ aborted: true, output: "" });
    expect(() => ws.read("ran.txt")).toThrow();
  });

  it("caps a flood of output with head and tail while its own memory stays bounded", async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const result = await run("echo FIRST; yes | head -c 200000000; echo LAST", { timeoutMs: 30_000 });
    clearInterval(sampler);
    expect(result.exitCode).toBe(0);
    expect(result.truncatedBytes).toBeGreaterThan(199_000_000);
    expect(Buffer.byteLength(result.output)).toBeLessThan(MAX_OUTPUT_BYTES);
    expect(result.output.startsWith("FIRST\ny\ny\n")).toBe(true);
    expect(result.output.endsWith("y\ny\nLAST\n")).toBe(true);
    expect(result.output).toContain(`[... ${result.truncatedBytes} bytes cut from the middle of this output ...]`);
    // Unbounded capture would cost the 200 MB printed; a fresh Buffer per read costs ~35 MB of garbage.
    expect(peak - before).toBeLessThan(16 * 1024 * 1024);
  });

  it("never splits a multibyte character at the cut", async () => {
    const result = await run("yes 'é€' | head -c 300000");
    expect(result.truncatedBytes).toBeGreaterThan(0);
    expect(result.output).not.toContain("\uFFFD");
    expect(result.output.startsWith("é€\n")).toBe(true);
  });

  it("closes stdin, runs in the workspace and does not pass mini-claude's secrets", async () => {
    const ws = tempWorkspace();
    const stdin = await run("cat; echo done", { cwd: ws.root, timeoutMs: 5000 });
    expect(stdin).toMatchObject({ output: "done\n", exitCode: 0, timedOut: false });
    const cwd = await run("pwd", { cwd: ws.root });
    expect(cwd.output).toBe(`${ws.root}\n`);
    const saved = { ...process.env };
    Object.assign(process.env, { OPENAI_API_KEY: "sk-test", DEEPSEEK_API_KEY: "ds-test", MINI_CLAUDE_API_KEY: "mc-test", MINI_CLAUDE_MODEL: "m1" });
    try {
      const env = await run('echo "[$OPENAI_API_KEY][$DEEPSEEK_API_KEY][$MINI_CLAUDE_API_KEY][$MINI_CLAUDE_MODEL][$CI][$GIT_TERMINAL_PROMPT][$PAGER][$GIT_PAGER][$npm_config_yes][${HOME:+home}]"');
      expect(env.output).toBe("[][][][m1][1][0][cat][cat][true][home]\n");
      expect(commandEnv({ EXTRA: "x", PAGER: undefined })).toMatchObject({ EXTRA: "x", CI: "1" });
      expect(commandEnv({ PAGER: undefined }).PAGER).toBeUndefined();
    } finally {
      for (const name of ["OPENAI_API_KEY", "DEEPSEEK_API_KEY", "MINI_CLAUDE_API_KEY", "MINI_CLAUDE_MODEL"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it("reports an unusable working directory instead of throwing", async () => {
    const ws = tempWorkspace();
    const result = await run("echo hi", { cwd: `${ws.root}/missing` });
    expect(result).toMatchObject({ exitCode: null, output: "", error: `working directory ${ws.root}/missing does not exist` });
  });
});
