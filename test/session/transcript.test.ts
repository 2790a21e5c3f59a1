import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  findSession,
  latestSession,
  listSessions,
  Transcript,
  SessionLookupError,
} from "../../src/session/transcript.js";
import { INTERRUPTED_BY_EXIT, repairHistory } from "../../src/model/history.js";

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), "mini-claude-sessions-"));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const user = (content: string): ChatCompletionMessageParam => ({ role: "user", content });
const assistant = (content: string): ChatCompletionMessageParam => ({ role: "assistant", content });
const callsTo = (...ids: string[]): ChatCompletionMessageParam => ({
  role: "assistant",
  content: null,
  tool_calls: ids.map((id) => ({ id, type: "function", function: { name: "read_file", arguments: '{"path":"a.ts"}' } })),
});
const answer = (id: string, content = "ok"): ChatCompletionMessageParam => ({ role: "tool", tool_call_id: id, content });

function lines(path: string): unknown[] {
  return readFileSync(path, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line));
}

describe("Transcript", () => {
  it("writes nothing until the first message, then a header and one line per message, without the system message", () => {
    const log = Transcript.create(dataDir, "/work/proj", { model: "qwen3" }, new Date("2025-03-04T05:06:07.890Z"));
    expect(log.id).toMatch(/^20250304-050607-[0-9a-f]{6}$/);
    expect(log.path).toBe(join(dataDir, "sessions", `${log.id}.jsonl`));
    expect(existsSync(log.path)).toBe(false);

    log.append({ role: "system", content: "you are mini-claude" });
    expect(existsSync(log.path)).toBe(false);
    log.append(user("fix the bug"));
    expect(lines(log.path)).toEqual([
      {
        type: "session",
        id: log.id,
        workspace: "/work/proj",
        model: "qwen3",
        startedAt: "2025-03-04T05:06:07.890Z",
        version: 1,
      },
      { type: "message", message: user("fix the bug") },
    ]);

    log.append(callsTo("c1"));
    log.append(answer("c1", "1\tconst a = 1;"));
    expect(lines(log.path)).toHaveLength(4);
  });

  it("writes each message as the line JSON.stringify would, in time that does not grow with the history", () => {
    const log = Transcript.create(dataDir, "/work/proj", { model: "m" });
    const odd = { role: "tool", tool_call_id: "c1", content: 'quote " newline \n café 🚀 \ud800', extra: undefined } as ChatCompletionMessageParam;
    log.append(user("hi"));
    log.append(odd);
    const text = readFileSync(log.path, "utf8").split("\n");
    expect(text[2]).toBe(JSON.stringify({ type: "message", message: odd }));
    // The file is appended to, never rewritten: the 2,000th line costs what the 20th did.
    const message = answer("c2", "x".repeat(2000));
    const timeOf = (count: number) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < count; i++) log.append(message);
      return Number(process.hrtime.bigint() - started) / count;
    };
    const early = timeOf(200);
    log.append(user("y".repeat(5_000_000)));
    timeOf(1800);
    expect(timeOf(200)).toBeLessThan(early * 10);
  });

  it("reopens a session with its messages and keeps appending to the same file", () => {
    const log = Transcript.create(dataDir, "/work/proj", { model: "m" });
    const history = [user("hi"), callsTo("c1"), answer("c1"), assistant("done")];
    history.forEach((m) => log.append(m));

    const { transcript: resumed, messages } = Transcript.open(dataDir, log.id);
    expect(messages).toEqual(history);
    expect(resumed.header.model).toBe("m");
    resumed.append(user("and now the tests"));
    expect(Transcript.open(dataDir, log.id).messages).toEqual([...history, user("and now the tests")]);
  });

  it("resumes from the latest compaction plus what came after it, while the raw messages stay in the file", () => {
    const log = Transcript.create(dataDir, "/work/proj", { model: "m" });
    const raw = [user("fix the bug"), callsTo("c1"), answer("c1", "a long file"), assistant("found it")];
    raw.forEach((m) => log.append(m));
    const summary = user("[Summary of the earlier conversation: 3 messages were replaced…]");
    const state = { requests: ["fix the bug"], edited: ["a.ts"], exits: [] };
    log.recordCompaction([{ role: "system", content: "never stored" }, summary, assistant("found it")], state);
    log.append(user("now test it"));

    const { messages, compaction } = Transcript.open(dataDir, log.id);
    expect(messages).toEqual([summary, assistant("found it"), user("now test it")]);
    expect(compaction).toEqual(state);
    const lines = readFileSync(join(dataDir, "sessions", `${log.id}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === "message").map((l) => l.message)).toEqual([...raw, user("now test it")]);
    expect(listSessions(dataDir)[0]).toMatchObject({ messageCount: 5, firstPrompt: "fix the bug" });
  });

  it("skips a torn last line and cuts it off, so the next append starts on a clean line", () => {
    const log = Transcript.create(dataDir, "/w", { model: "m" });
    log.append(user("one"));
    log.append(assistant("two"));
    const clean = readFileSync(log.path, "utf8");
    appendFileSync(log.path, '{"type":"message","message":{"role":"assistant","content":"thr');

    const { transcript: resumed, messages } = Transcript.open(dataDir, log.id);
    expect(messages).toEqual([user("one"), assistant("two")]);
    expect(readFileSync(log.path, "utf8")).toBe(clean);
    resumed.append(user("four"));
    expect(Transcript.open(dataDir, log.id).messages).toEqual([user("one"), assistant("two"), user("four")]);
    expect(listSessions(dataDir)[0].messageCount).toBe(3);
  });

  it("keeps a last line that is whole but lost its newline", () => {
    const log = Transcript.create(dataDir, "/w", { model: "m" });
    log.append(user("one"));
    appendFileSync(log.path, JSON.stringify({ type: "message", message: assistant("two") }));

    const { transcript: resumed, messages } = Transcript.open(dataDir, log.id);
    expect(messages).toEqual([user("one"), assistant("two")]);
    resumed.append(user("three"));
    expect(Transcript.open(dataDir, log.id).messages).toEqual([user("one"), assistant("two"), user("three")]);
  });

  it("repairs a session that was killed between a tool call and its result", () => {
    const log = Transcript.create(dataDir, "/w", { model: "m" });
    [user("read both"), callsTo("c1", "c2"), answer("c1")].forEach((m) => log.append(m));

    const { messages } = Transcript.open(dataDir, log.id);
    expect(messages).toEqual([user("read both"), callsTo("c1", "c2"), answer("c1"), answer("c2", INTERRUPTED_BY_EXIT)]);
  });

  it("keeps every message written before a kill -9 in the middle of a stream of appends", async () => {
    const writer = `
      import { Transcript } from ${JSON.stringify(new URL("../../src/session/transcript.ts", import.meta.url).pathname)};
      const log = Transcript.create(process.argv[1], "/w", { model: "m" });
      console.log(log.id);
      for (let i = 0; i < 100_000; i++) log.append({ role: "user", content: "message " + i + " " + "x".repeat(i % 500) });
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", writer, dataDir]);
    // A writer that cannot start fails the test with its stderr rather than leaving it waiting.
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const id = await new Promise<string>((found, failed) => {
      child.stdout.once("data", (chunk) => found(String(chunk).trim()));
      child.once("exit", (code) => failed(new Error(`the writer exited (${code}) before writing: ${stderr}`)));
    });
    while (!existsSync(join(dataDir, "sessions", `${id}.jsonl`)) || (listSessions(dataDir)[0]?.messageCount ?? 0) < 200) {
      await new Promise((tick) => setTimeout(tick, 20));
    }
    child.kill("SIGKILL");
    await new Promise((exited) => child.once("exit", exited));

    const { messages } = Transcript.open(dataDir, id);
    expect(messages.length).toBeGreaterThanOrEqual(200);
    messages.forEach((m, i) => expect(m.content).toBe(`message ${i} ${"x".repeat(i % 500)}`));
  });

  it("names the problem when the id is unknown or not an id", () => {
    expect(() => Transcript.open(dataDir, "20990101-000000-abcdef")).toThrow(/No session 20990101-000000-abcdef/);
    expect(() => Transcript.open(dataDir, "../../etc/passwd")).toThrow(SessionLookupError);
  });
});

describe("listing and lookup", () => {
  function session(workspace: string, prompt: string, updated: string): Transcript {
    const log = Transcript.create(dataDir, workspace, { model: "m" });
    log.append(user(prompt));
    log.append(assistant("ok"));
    utimesSync(log.path, new Date(updated), new Date(updated));
    return log;
  }

  it("lists sessions most recently updated first, filtered by workspace", () => {
    const older = session("/a", "first  prompt\nwith a newline", "2025-01-01T00:00:00Z");
    const newer = session("/a", "second", "2025-02-01T00:00:00Z");
    const other = session("/b", "elsewhere", "2025-03-01T00:00:00Z");

    expect(listSessions(dataDir).map((s) => s.id)).toEqual([other.id, newer.id, older.id]);
    const inA = listSessions(dataDir, "/a");
    expect(inA.map((s) => s.id)).toEqual([newer.id, older.id]);
    expect(inA[1]).toEqual({
      id: older.id,
      workspace: "/a",
      startedAt: older.header.startedAt,
      updatedAt: "2025-01-01T00:00:00.000Z",
      messageCount: 2,
      firstPrompt: "first prompt with a newline",
    });
    expect(latestSession(dataDir, "/a")?.id).toBe(newer.id);
    expect(latestSession(dataDir, "/nowhere")).toBeUndefined();
  });

  it("one corrupt transcript never hides the others; its bad lines are skipped and counted when resumed", () => {
    const good = session("/a", "good one", "2025-01-01T00:00:00Z");
    const bad = session("/b", "bad one", "2025-02-01T00:00:00Z");
    const badLines = [
      "not json at all",
      JSON.stringify({ type: "message", message: { role: "user", content: [null] } }),
      JSON.stringify({ type: "message", message: { role: "assistant", content: null, tool_calls: "x" } }),
      JSON.stringify({ type: "message", message: { role: "wizard", content: "hi" } }),
      JSON.stringify({ type: "message", message: 5 }),
      JSON.stringify({ type: "session", id: 5, workspace: "/b" }),
      "[1,2,3]",
    ];
    appendFileSync(bad.path, badLines.join("\n") + "\n" + JSON.stringify({ type: "message", message: user("still here") }) + "\n");
    utimesSync(bad.path, new Date("2025-02-01T00:00:00Z"), new Date("2025-02-01T00:00:00Z"));
    // A transcript whose header is itself garbage is simply not listed.
    appendFileSync(join(dataDir, "sessions", "20250101-000000-ffffff.jsonl"), '{"type":"session","id":{"x":1}}\n');

    expect(listSessions(dataDir).map((s) => s.id)).toEqual([bad.id, good.id]);
    expect(latestSession(dataDir, "/a")?.id).toBe(good.id);
    expect(listSessions(dataDir, "/b")[0]).toMatchObject({ firstPrompt: "bad one", messageCount: 3 });
    const { messages, skipped } = Transcript.open(dataDir, bad.id);
    expect(skipped).toBe(badLines.length);
    expect(messages).toEqual([user("bad one"), assistant("ok"), user("still here")]);
  });

  it("returns an empty list when no session was ever written", () => {
    expect(listSessions(join(dataDir, "missing"))).toEqual([]);
  });

  it("finds a session by exact id or unique prefix, and explains misses and ambiguity", () => {
    const a = Transcript.create(dataDir, "/w", { model: "m" }, new Date("2025-01-01T10:00:00Z"));
    const b = Transcript.create(dataDir, "/w", { model: "m" }, new Date("2025-01-01T11:00:00Z"));
    [a, b].forEach((log) => log.append(user("x")));

    expect(findSession(dataDir, a.id).id).toBe(a.id);
    expect(findSession(dataDir, "20250101-11").id).toBe(b.id);
    expect(() => findSession(dataDir, "20250101")).toThrow(/matches 2 sessions .*give more of the id/);
    expect(() => findSession(dataDir, "2024")).toThrow(/No session matches "2024"/);
  });
});

describe("repairHistory", () => {
  it("leaves a valid history as it is", () => {
    const history = [user("q"), callsTo("c1", "c2"), answer("c1"), answer("c2"), assistant("a")];
    expect(repairHistory(history)).toEqual(history);
  });

  it("answers calls cut off anywhere, in call order, and drops orphan and duplicate tool messages", () => {
    const broken = [
      user("q"),
      answer("stray"),
      callsTo("c1", "c2", "c3"),
      answer("c2"),
      answer("c2", "again"),
      user("next"),
      callsTo("c4"),
    ];
    const repaired = repairHistory(broken);
    expect(repaired).toEqual([
      user("q"),
      callsTo("c1", "c2", "c3"),
      answer("c2"),
      answer("c1", INTERRUPTED_BY_EXIT),
      answer("c3", INTERRUPTED_BY_EXIT),
      user("next"),
      callsTo("c4"),
      answer("c4", INTERRUPTED_BY_EXIT),
    ]);
    expect(repairHistory(repaired)).toEqual(repaired);
    expect(broken).toHaveLength(7);
  });
});
