import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { listSessions } from "../../src/session/transcript.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe("sessions that lose nothing", () => {
  it("survives kill -9 mid-turn: --continue restores the messages and repairs the open tool call", async () => {
    const ws = tempWorkspace({ "a.txt": "alpha\n" });
    const fake = await fakeOpenAI([
      reply().text("Hello."),
      reply().tool("read_file", { path: "a.txt" }, "call_1").tool("exec", { command: "sleep 3" }, "call_2"),
    ]);
    // kill -9 leaves the command's output FIFO behind: keep it in the test's own temp folder.
    const cli = startCli(["--yes"], cliOptions(ws, fake, { stdin: "open", env: { TMPDIR: ws.home } }));
    cli.child.stdin!.write("hi\n");
    await cli.waitFor("Hello.");
    cli.child.stdin!.write("read a.txt and sleep\n");
    await cli.waitFor("exec sleep 3");
    cli.child.kill("SIGKILL");
    await cli.done;

    fake.push(reply().text("Resumed fine."));
    const resumed = await runCli(["-c", "-p", "and now?"], cliOptions(ws, fake));
    expect(resumed).toMatchObject({ code: 0, stdout: "Resumed fine.\n" });
    const messages = fake.requests.at(-1).messages;
    assertValidHistory(messages);
    expect(messages.map((m: any) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "tool", "tool", "user"]);
    expect(messages[1].content).toBe("hi");
    expect(messages[5]).toEqual({ role: "tool", tool_call_id: "call_1", content: "1\talpha" });
    expect(messages[6]).toEqual({ role: "tool", tool_call_id: "call_2", content: "Interrupted: mini-claude stopped before this tool call ran." });
    expect(messages[7].content).toBe("and now?");
  });

  it("--resume lists this workspace's sessions, and resumes one by id prefix", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("one"), reply().text("two"), reply().text("three")]);
    await runCli(["-p", "first session"], cliOptions(ws, fake));
    await runCli(["-p", "second session"], cliOptions(ws, fake));
    const list = await runCli(["--resume"], cliOptions(ws, fake));
    expect(list.code).toBe(0);
    expect(list.stdout.indexOf("second session")).toBeLessThan(list.stdout.indexOf("first session"));
    const sessions = listSessions(ws.home, ws.root);
    const older = sessions.find((s) => s.firstPrompt === "first session")!;
    await runCli(["--resume", older.id.slice(0, -2), "-p", "back to the first"], cliOptions(ws, fake));
    expect(fake.requests[2].messages.map((m: any) => m.content).slice(1)).toEqual(["first session", "one", "back to the first"]);
    // -c beside --resume ID: the named session, not the latest one (the first, just resumed).
    const newer = sessions.find((s) => s.firstPrompt === "second session")!;
    fake.push(reply().text("four"));
    await runCli(["-c", "--resume", newer.id, "-p", "the second again"], cliOptions(ws, fake));
    expect(fake.requests[3].messages.map((m: any) => m.content).slice(1)).toEqual(["second session", "two", "the second again"]);
    const missing = await runCli(["--resume", "nope", "-p", "x"], cliOptions(ws, fake));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No session matches "nope"');
  });

  it("--continue with no earlier session starts a new one", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("fresh")]);
    const result = await runCli(["-c", "-p", "hello"], cliOptions(ws, fake));
    expect(result).toMatchObject({ code: 0, stdout: "fresh\n" });
    expect(fake.requests[0].messages).toHaveLength(2);
  });

  it("/clear starts a new transcript, so --continue does not bring the cleared conversation back", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("A1"), reply().text("A2"), reply().text("A3")]);
    await runCli([], cliOptions(ws, fake, { stdin: "first secret prompt\n/clear\nsecond\n" }));
    await runCli(["-c", "-p", "third"], cliOptions(ws, fake));
    expect(fake.requests[2].messages.slice(1).map((m: any) => m.content)).toEqual(["second", "A2", "third"]);
  });

  it("refuses to resume another workspace's session by id", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("one")]);
    await runCli(["-p", "in the workspace"], cliOptions(ws, fake));
    const [session] = listSessions(ws.home, ws.root);
    const elsewhere = await runCli(["--resume", session.id, "-p", "x"], { cwd: ws.outside, home: ws.home, baseURL: fake.url });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toBe(`mini-claude: Session ${session.id} belongs to ${ws.root}; run from there, or pass -w ${ws.root}.\n`);
  });

  it("keeps working, with one warning, when the transcript cannot be written", async () => {
    const ws = tempWorkspace();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${ws.home}/sessions`, "not a folder");
    const fake = await fakeOpenAI([reply().text("still here"), reply().text("and again")]);
    const result = await runCli([], cliOptions(ws, fake, { stdin: "one\ntwo\n" }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("and again");
    expect(result.stderr.match(/cannot write the session transcript/g)).toHaveLength(1);
  });
});
