import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertValidHistory, INTERRUPTED_REPLY_NOTE } from "../../src/model/history.js";
import { isAlive } from "../../src/processes/process-tree.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions, startCli } from "../support/run-cli.js";
import { eventually, hostPid } from "../support/processes.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  if (!(await eventually(condition, timeoutMs))) throw new Error("condition not met in time");
}

describe("Ctrl-C in a real terminal (pseudo-terminal)", () => {
  it("aborts a hanging stream, keeps the partial text, and the next request is valid", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Working on it\nstill going").hang(5), reply().text("Second answer.")]);
    const pty = await startRepl([], cliOptions(ws, fake));
    pty.type("first request\r");
    await pty.waitFor("Working on it");
    const mark = pty.screen().length;
    pty.type("\x03");
    await pty.waitFor(/Interrupted\..*\n.*mini-claude> /, { from: mark });
    pty.type("second request\r");
    await pty.waitFor("Second answer.", { from: mark });
    pty.type("\x04");
    expect((await pty.done).code).toBe(0);

    const messages = fake.requests[1].messages;
    expect(messages.map((m: any) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(messages[2].content).toBe("Working on it\nstill ");
    // The model is told it was cut off, so it does not assume its answer was read in full.
    expect(messages[3].content).toBe(`${INTERRUPTED_REPLY_NOTE}\n\nsecond request`);
    assertValidHistory(messages);
  });

  it("kills a foreground command's process tree and answers its call as interrupted", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "sh -c 'echo $$ > child.pid; sleep 60' & echo $! > shell.pid; wait" }, "call_sleep"),
      reply().text("Fine, stopped."),
    ]);
    const pty = await startRepl(["--yes"], cliOptions(ws, fake));
    pty.type("run the long thing\r");
    await pty.waitFor("exec sh -c");
    const childPidFile = join(ws.root, "child.pid");
    await waitUntil(() => {
      try {
        return readFileSync(childPidFile, "utf8").trim().length > 0;
      } catch {
        return false;
      }
    });
    // Written from inside the sandbox's pid namespace: find the pid this test sees.
    const childPid = hostPid(Number(readFileSync(childPidFile, "utf8")), ws.root);
    expect(isAlive(childPid)).toBe(true);
    const mark = pty.screen().length;
    pty.type("\x03");
    await pty.waitFor("mini-claude> ", { from: mark });
    await waitUntil(() => !isAlive(childPid));
    pty.type("what happened?\r");
    await pty.waitFor("Fine, stopped.", { from: mark });
    await pty.quit();

    const messages = fake.requests[1].messages;
    assertValidHistory(messages);
    const answer = messages.find((m: any) => m.role === "tool");
    expect(answer.tool_call_id).toBe("call_sleep");
    expect(answer.content).toMatch(/interrupt/i);
  });

  it("Ctrl-C at the approval question answers the call as interrupted, not denied", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch never.txt" }, "call_ask"), reply().text("Understood.")]);
    // Sandbox off: inside it, a command like this one would run without a question.
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake));
    pty.type("make a file\r");
    await pty.waitFor("[a]lways: ");
    const mark = pty.screen().length;
    pty.type("\x03");
    await pty.waitFor("mini-claude> ", { from: mark });
    pty.type("ok?\r");
    await pty.waitFor("Understood.", { from: mark });
    await pty.quit();
    const answer = fake.requests[1].messages.find((m: any) => m.role === "tool");
    expect(answer).toEqual({ role: "tool", tool_call_id: "call_ask", content: "Interrupted by the user before this ran." });
    expect(existsSync(join(ws.root, "never.txt"))).toBe(false);
  });

  it("at an idle prompt: Ctrl-C clears the line, twice exits; typed text never reaches the model", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([]);
    const pty = await startRepl([], cliOptions(ws, fake));
    pty.type("half typed");
    await pty.waitFor("half typed");
    pty.type("\x03");
    pty.type("\x03");
    await pty.waitFor("press Ctrl-C again to exit");
    pty.type("\x03");
    expect((await pty.done).code).toBe(0);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("interrupting --print", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} mid-stream exits 130 with no stack trace`, async () => {
      const ws = tempWorkspace();
      const fake = await fakeOpenAI([reply().text("partial").hang(2)]);
      const cli = startCli(["-p", "hang please"], cliOptions(ws, fake));
      await waitUntil(() => fake!.requests.length === 1);
      await new Promise((r) => setTimeout(r, 100));
      cli.child.kill(signal);
      const result = await cli.done;
      expect(result.code).toBe(130);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
