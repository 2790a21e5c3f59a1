/**
 * The search rows of `npm run bench`: grep and list_files through the real CLI on a generated
 * 19,600-file / 200 MB tree (bench/tree.ts) and on this repository's node_modules, each beside
 * ripgrep on the same tree in the same run. "Added" is the CLI run with the one tool call minus
 * the same run without it (start-up and the fake model cost the same in both).
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { reply, startFakeOpenAI, type Scripted } from "../test/support/fake-openai.js";
import { median, mib, runCli, timedSpawn, type Timed } from "./cli-run.js";
import { generateTree } from "./tree.js";

const RUNS = Number(process.env.SEARCH_RUNS ?? 5);
const hasRg = spawnSync("rg", ["--version"]).status === 0;

/** Median wall time and the largest peak RSS of RUNS CLI runs answering `script()`. */
async function cliRuns(dir: string, script: () => Scripted[]): Promise<{ ms: number; rssKb?: number }> {
  const runs: Timed[] = [];
  for (let i = 0; i < RUNS; i++) {
    const fake = await startFakeOpenAI(script());
    runs.push(await runCli(dir, fake));
    await fake.close();
  }
  return summarize(runs);
}

async function rgRuns(dir: string, args: string[]): Promise<{ ms: number; rssKb?: number }> {
  const runs: Timed[] = [];
  // "." because rg reads stdin when it is not a terminal and no path is given.
  for (let i = 0; i < RUNS; i++) runs.push(await timedSpawn("rg", [...args, "."], { cwd: dir }));
  return summarize(runs);
}

function summarize(runs: Timed[]) {
  const rss = runs.flatMap((run) => (run.rssKb ? [run.rssKb] : []));
  return { ms: median(runs.map((run) => run.ms)), rssKb: rss.length ? Math.max(...rss) : undefined };
}

/** The rows for one tree: grep createServer( and list_files **\/*.d.ts, added cost beside rg. */
async function treeRows(label: string, dir: string): Promise<string[]> {
  const base = await cliRuns(dir, () => [reply().text("ok")]);
  const searches = [
    { name: "grep createServer\\(", call: reply().tool("grep", { pattern: "createServer\\(" }), rg: ["--no-require-git", "-n", "createServer\\("] },
    { name: "list_files **/*.d.ts", call: reply().tool("list_files", { pattern: "**/*.d.ts" }), rg: ["--no-require-git", "--files", "-g", "*.d.ts"] },
  ];
  // The floor of any "added": one more model round trip, with a call that does almost nothing.
  const floor = await cliRuns(dir, () => [reply().tool("read_file", { path: "no-such-file.txt" }), reply().text("ok")]);
  const rows: string[] = [`${label}: one trivial call (read_file of a missing file) adds ${(floor.ms - base.ms).toFixed(0)} ms of model round trip and bookkeeping`];
  for (const search of searches) {
    const run = await cliRuns(dir, () => [search.call, reply().text("ok")]);
    const added = run.ms - base.ms;
    const addedRss = run.rssKb && base.rssKb ? `+${((run.rssKb - base.rssKb) / 1024).toFixed(0)} MiB peak` : "peak n/a";
    let rgText = "rg not on PATH (apt-get install ripgrep to compare)";
    if (hasRg) {
      const rg = await rgRuns(dir, search.rg);
      rgText = `rg ${search.rg.slice(1).join(" ")} ${rg.ms.toFixed(0)} ms, ${mib(rg.rssKb)} · ratio ${(added / rg.ms).toFixed(1)}× (target ≤ 3×)`;
    }
    rows.push(`${label}: ${search.name} added ${added.toFixed(0)} ms, ${addedRss} (target ≤ +30) · ${rgText}`);
  }
  return rows;
}

export async function searchRows(): Promise<string[]> {
  const tree = generateTree();
  try {
    const rows = await treeRows("generated tree (19.6k files, 200 MB)", tree);
    // node_modules as the workspace: its own .gitignore files apply (nested node_modules are skipped by us, not by rg).
    rows.push(...(await treeRows("this repo's node_modules", join(process.cwd(), "node_modules"))));
    return rows;
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}
