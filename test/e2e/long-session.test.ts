import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { SUMMARY_SYSTEM } from "../../src/context/summary-prompt.js";
import { reply, useFakeOpenAI, type OverflowShape } from "../support/fake-openai.js";
import { runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const WORDS = "alpha beta gamma delta parser render stream buffer token window module export import async await value".split(" ");

/** n files of about 2.5 KB each (some 700 tokens), each a little different, one of them with a needle. */
function files(n: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let f = 1; f <= n; f++) {
    const lines = Array.from({ length: 40 }, (_, i) => `${f}.${i} ${WORDS.map((w, j) => WORDS[(i * 7 + j * f) % WORDS.length]).join(" ")} ${f * 1000 + i}`);
    if (f === 42) lines[20] = "the needle is here";
    out[`f${String(f).padStart(2, "0")}.txt`] = lines.join("\n") + "\n";
  }
  return out;
}

const FIRST_REQUEST = "Read every file f01.txt to f55.txt, one per step, and tell me which one mentions the needle. Do not edit anything.";

/**
 * A model that reads one file per step, answers summary requests with a numbered summary, and
 * finishes after `steps` reads.
 */
function readingModel(steps: number) {
  let step = 0;
  const summaries: string[] = [];
  const respond = (body: any) => {
    if (body.messages[0].content === SUMMARY_SYSTEM) {
      const text = `SUMMARY-${summaries.length + 1}: looking for the needle; ${step} files read so far.`;
      summaries.push(text);
      return reply().text(text);
    }
    step++;
    if (step <= steps) return reply().tool("read_file", { path: `f${String(step).padStart(2, "0")}.txt` });
    return reply().text("The needle is in f42.txt.");
  };
  return { respond, summaries, steps: () => step };
}

const isSummaryRequest = (body: any) => body.messages[0].content === SUMMARY_SYSTEM;

describe("long sessions within a 16k window", () => {
  it("a 55-read task finishes: every request fits, the history stays valid, the first request and the summaries survive, --continue sends the compacted context", async () => {
    const ws = tempWorkspace(files(55));
    const model = readingModel(55);
    const fake = await fakeOpenAI([], { window: 16_384, props: true, respond: model.respond });
    const result = await runCli(["--yes", "-p", FIRST_REQUEST], { cwd: ws.root, home: ws.home, baseURL: fake.url, timeoutMs: 60_000 });

    expect(result.stderr).toMatch(/compacted: \d+ messages → summary · \d+k → \d+k tokens/);
    expect(result).toMatchObject({ code: 0, stdout: "The needle is in f42.txt.\n" });
    expect(model.steps()).toBe(56);
    expect(fake.overflows).toBe(0);
    expect(Math.max(...fake.tokens)).toBeLessThanOrEqual(16_384);
    expect(model.summaries.length).toBeGreaterThan(0);

    const work = fake.requests.filter((body) => !isSummaryRequest(body));
    for (const body of work) {
      assertValidHistory(body.messages);
      expect(JSON.stringify(body.messages)).toContain(JSON.stringify(FIRST_REQUEST).slice(1, -1));
    }
    // Compaction works in batches: each request repeats the previous one byte for byte (prompt caches
    // keep hitting) except right after a compaction.
    const compactions = result.stderr.split("\n").filter((line) => line.startsWith("compacted:")).length;
    const breaks = work.slice(1).filter((body, i) => {
      const before = work[i].messages.map((m: any) => JSON.stringify(m));
      return body.messages.slice(0, before.length).some((m: any, j: number) => JSON.stringify(m) !== before[j]);
    }).length;
    expect(breaks).toBe(compactions);
    expect(compactions).toBeLessThan(work.length / 4);
    // Each summary the server wrote is in every later working request, until a newer one folds it in.
    const firstSummaryAt = fake.requests.findIndex(isSummaryRequest);
    const later = fake.requests.slice(firstSummaryAt + 1).filter((body) => !isSummaryRequest(body));
    expect(later.length).toBeGreaterThan(0);
    for (const body of later) expect(body.messages[1].content).toMatch(/SUMMARY-\d+: looking for the needle/);
    // The tool outputs of the last steps are there in full; early ones are not.
    const last = work.at(-1).messages;
    expect(last.at(-1)).toMatchObject({ role: "tool", content: expect.stringContaining("55.0 ") });
    expect(JSON.stringify(last)).not.toContain("\\t1.0 ");

    const requestsBefore = fake.requests.length;
    fake.push(reply().text("Still f42.txt."));
    const resumed = await runCli(["-c", "-p", "and now?"], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    expect(resumed).toMatchObject({ code: 0, stdout: "Still f42.txt.\n" });
    const sent = fake.requests[requestsBefore].messages;
    assertValidHistory(sent);
    expect(sent[1].content).toContain(model.summaries.at(-1));
    expect(sent[1].content).toContain(FIRST_REQUEST);
    expect(sent.at(-1)).toEqual({ role: "user", content: "and now?" });
    expect(fake.tokens[requestsBefore]).toBeLessThan(16_384 * 0.8);
  }, 90_000);

  it.each<OverflowShape>(["openai", "llama.cpp", "vllm"])(
    "a server that does not say its window (%s): the overflow error teaches it, the request is compacted and sent once more",
    async (shape) => {
      const ws = tempWorkspace(files(30));
      const model = readingModel(30);
      const fake = await fakeOpenAI([], { window: 16_384, overflow: shape, respond: model.respond });
      const result = await runCli(["--yes", "-p", FIRST_REQUEST], { cwd: ws.root, home: ws.home, baseURL: fake.url, timeoutMs: 60_000 });

      expect(result).toMatchObject({ code: 0, stdout: "The needle is in f42.txt.\n" });
      expect(fake.overflows).toBe(1);
      const overflowed = fake.tokens.findIndex((t) => t > 16_384);
      expect(fake.tokens[overflowed + 1]).toBeLessThanOrEqual(16_384);
      expect(fake.tokens.filter((t) => t > 16_384)).toHaveLength(1);
      expect(result.stderr).toContain("compacted:");
      for (const body of fake.requests) assertValidHistory(body.messages);
    },
    90_000,
  );
});
