/**
 * The search rows of `npm run bench`: grep and list_files through the real CLI on a generated
 * 19,600-file / 200 MB tree (bench/tree.ts) and on this repository's node_modules, each beside
 * ripgrep on the same tree in the same run. "Added" is the CLI run with the one tool call minus
 * the same run without it (start-up and the fake model cost the same in both), round by round.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { reply, startFakeOpenAI, type Scripted } from "../test/support/fake-openai.js";
import { median, mib, runCli, timedSpawn, type Timed } from "./cli-run.js";
import { generateTree } from "./tree.js";

const RUNS = Number(process.env.SEARCH_RUNS ?? 7);
const hasRg = spawnSync("rg", ["--version"]).status === 0;

type Script = () => Scripted[];

/** One CLI run answering `script()`. */
async function cliRun(dir: string, script: Script): Promise<Timed> {
  const fake = await startFakeOpenAI(script());
  try {
    return await runCli(dir, fake);
  } finally {
    await fake.close();
  }
}

/**
 * RUNS rounds of: the CLI without the call, with it, and rg (when there). Interleaved so that a
 * change in the machine's load (other processes) falls on all three alike; "added" is the median of
 * each round's difference, the peaks the largest seen.
 */
async function rounds(dir: string, call: Script, rgArgs?: string[]) {
  const base = () => [reply().text("ok")];
  const added: number[] = [];
  const rg: Timed[] = [];
  let baseRss = 0;
  let callRss = 0;
  for (let i = 0; i < RUNS; i++) {
    const without = await cliRun(dir, base);
    const withCall = await cliRun(dir, call);
    added.push(withCall.ms - without.ms);
    baseRss = Math.max(baseRss, without.rssKb ?? 0);
    callRss = Math.max(callRss, withCall.rssKb ?? 0);
    // "." because rg reads stdin when it is not a terminal and no path is given.
    if (rgArgs) rg.push(await timedSpawn("rg", [...rgArgs, "."], { cwd: dir }));
  }
  const rgRss = rg.flatMap((run) => (run.rssKb ? [run.rssKb] : []));
  return {
    added: median(added),
    addedRss: baseRss && callRss ? `+${((callRss - baseRss) / 1024).toFixed(0)} MiB peak` : "peak n/a",
    rg: rg.length ? { ms: median(rg.map((run) => run.ms)), rssKb: rgRss.length ? Math.max(...rgRss) : undefined } : undefined,
  };
}

/** The rows for one tree: grep createServer( and list_files **\/*.d.ts, added cost beside rg. */
async function treeRows(label: string, dir: string): Promise<string[]> {
  // The same search as ours: hidden files included, and only the .gitignore files inside the tree
  // (mini-claude's workspace is the tree; rg would otherwise apply this repository's `dist/` rule
  // from the folder above node_modules and search a quarter fewer files there).
  const same = ["--no-require-git", "--hidden", "--no-ignore-parent"];
  const searches = [
    { name: "grep createServer\\(", call: reply().tool("grep", { pattern: "createServer\\(" }), rg: [...same, "-n", "createServer\\("] },
    { name: "list_files **/*.d.ts", call: reply().tool("list_files", { pattern: "**/*.d.ts" }), rg: [...same, "--files", "-g", "*.d.ts"] },
  ];
  // The floor of any "added": one more model round trip, with a call that does almost nothing.
  const floor = await rounds(dir, () => [reply().tool("read_file", { path: "no-such-file.txt" }), reply().text("ok")]);
  const rows: string[] = [`${label}: one trivial call (read_file of a missing file) adds ${floor.added.toFixed(0)} ms of model round trip and bookkeeping`];
  for (const search of searches) {
    const run = await rounds(dir, () => [search.call, reply().text("ok")], hasRg ? search.rg : undefined);
    let rgText = "rg not on PATH (apt-get install ripgrep to compare)";
    if (run.rg) {
      rgText = `rg ${search.rg.slice(same.length).join(" ")} ${run.rg.ms.toFixed(0)} ms, ${mib(run.rg.rssKb)} · ratio ${(run.added / run.rg.ms).toFixed(1)}× (target ≤ 3×)`;
    }
    rows.push(`${label}: ${search.name} added ${run.added.toFixed(0)} ms, ${run.addedRss} (target ≤ +30) · ${rgText}`);
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
