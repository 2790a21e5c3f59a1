// Measures the sandbox's cost: the engine's start (loading @anthropic-ai/sandbox-runtime and its
// proxies, paid by the first command unless warmed), and per command (median runCommand("true")
// with and without the engine, alternating in the same run); and rewind's snapshot cost on 5,000 files (the
// first snapshot reads, hashes and stores every file; later ones re-read only what changed).
//
//   npx tsx bench/sandbox-rewind.ts      (part of `npm run bench`)
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../src/processes/run.js";
import { configureSandbox, disposeSandbox, stopSandboxEngine } from "../src/processes/sandbox.js";
import { BlobStore, takeSnapshot } from "../src/session/rewind/snapshot.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const root = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));
async function timeTrue(n: number) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await runCommand("true", { cwd: root, timeoutMs: 10000 });
    if (r.exitCode !== 0) throw new Error("failed " + r.output);
    times.push(performance.now() - t);
  }
  return median(times);
}
for (let round = 0; round < 2; round++) {
  await stopSandboxEngine();
  disposeSandbox();
  const plain = await timeTrue(30);
  let t0 = performance.now();
  const sandbox = configureSandbox({ mode: "auto", root });
  if (!sandbox.active) throw new Error(sandbox.problem);
  const probe = performance.now() - t0;
  t0 = performance.now();
  await timeTrue(1);
  const first = performance.now() - t0;
  const boxed = await timeTrue(30);
  console.log(
    `round ${round}: start-up probe ${probe.toFixed(1)} ms; first command (engine load + proxies) ${first.toFixed(0)} ms; ` +
      `median exec true: without sandbox ${plain.toFixed(1)} ms, with ${boxed.toFixed(1)} ms`,
  );
}
await stopSandboxEngine();
disposeSandbox();
// 5,000 files of ~1 KB in 50 folders
for (let d = 0; d < 50; d++) {
  mkdirSync(join(root, `d${d}`));
  for (let f = 0; f < 100; f++) writeFileSync(join(root, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`.repeat(60));
}
const storeDir = mkdtempSync(join(tmpdir(), "mini-claude-bench-store-"));
const store = new BlobStore(storeDir);
let t = performance.now();
const first = await takeSnapshot(root, store);
console.log(`first snapshot (hash + store) of ${first.size} files: ${(performance.now() - t).toFixed(0)} ms`);
const again: number[] = [];
let prev = first;
for (let i = 0; i < 7; i++) {
  t = performance.now();
  prev = await takeSnapshot(root, store, prev);
  again.push(performance.now() - t);
}
console.log(`unchanged re-snapshot median: ${median(again).toFixed(0)} ms`);
t = performance.now();
await takeSnapshot(root, store);
console.log(`first snapshot of a later run (contents already stored): ${(performance.now() - t).toFixed(0)} ms`);
for (const dir of [root, storeDir]) rmSync(dir, { recursive: true, force: true });
