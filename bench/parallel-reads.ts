/**
 * The parallel-read row of `npm run bench`: one reply asking for five read_file calls, each of
 * the last lines of a different 20 MB file (read_file streams the whole file to find them, so
 * each call is slow), run by the loop in-process against the fake server. Once with the real
 * registry (read-only calls run together) and once with a registry that marks nothing read-only,
 * which is the sequential loop.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAgent } from "../src/loop/agent.js";
import type { Message } from "../src/model/history.js";
import { createClient } from "../src/model/client.js";
import { JobManager } from "../src/processes/jobs.js";
import { createRegistry, type ToolRegistry } from "../src/tools/index.js";
import { reply, startFakeOpenAI } from "../test/support/fake-openai.js";
import { median } from "./cli-run.js";

const FILES = 5;
const LINES = 400_000;

type Call = [name: string, args: Record<string, unknown>];

async function turnMs(root: string, tools: ToolRegistry, list: Call[]): Promise<number> {
  let calls = reply();
  for (const [name, args] of list) calls = calls.tool(name, args);
  const fake = await startFakeOpenAI([calls, reply().text("done")]);
  const client = await createClient({ baseURL: fake.url, apiKey: "x", requestTimeoutMs: 60_000, maxRetries: 0 });
  const signal = new AbortController().signal;
  const messages: Message[] = [{ role: "user", content: "read the ends" }];
  const started = performance.now();
  await runAgent({ client, model: "fake", messages, tools, toolContext: { root, signal, jobs: new JobManager(), approve: async () => ({ approved: true }) }, signal, maxSteps: 3 });
  const ms = performance.now() - started;
  await fake.close();
  return ms;
}

/** Sequential and parallel medians of one reply asking for `calls`. */
async function compare(root: string, calls: Call[], runs: number): Promise<string> {
  const parallel = createRegistry();
  const sequential: ToolRegistry = { ...parallel, prepare: (call) => ({ ...parallel.prepare(call), readOnly: false }) };
  const seq: number[] = [];
  const par: number[] = [];
  for (let i = 0; i < runs; i++) {
    seq.push(await turnMs(root, sequential, calls));
    par.push(await turnMs(root, parallel, calls));
  }
  const [s, p] = [median(seq), median(par)];
  return `sequential ${s.toFixed(0)} ms · parallel ${p.toFixed(0)} ms · ${(s / p).toFixed(1)}× faster`;
}

export async function parallelReadsRows(runs = 3): Promise<string[]> {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));
  const line = "2026-12-01T17:00:00Z INFO request served in 12 ms from a pool of workers\n";
  for (let f = 0; f < FILES; f++) {
    writeFileSync(join(root, `big${f}.log`), line.repeat(LINES));
    // grep skips files over 2 MB: each grep gets a folder of 1 MB files instead.
    mkdirSync(join(root, `logs${f}`));
    for (let part = 0; part < 20; part++) writeFileSync(join(root, `logs${f}`, `part${part}.log`), line.repeat(14_000));
  }
  try {
    const reads: Call[] = Array.from({ length: FILES }, (_, f) => ["read_file", { path: `big${f}.log`, offset: LINES - 9, limit: 10 }]);
    const greps: Call[] = Array.from({ length: FILES }, (_, f) => ["grep", { pattern: "served in \\d+ s", path: `logs${f}` }]);
    const mb = ((line.length * LINES) / 1e6).toFixed(0);
    return [
      `five read_file calls in one reply (${FILES} × ${mb} MB, last lines): ${await compare(root, reads, runs)}`,
      `five grep calls in one reply (${FILES} folders × 20 MB): ${await compare(root, greps, runs)}`,
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
