/**
 * The search rows of `npm run bench`: grep and list_files through the real CLI on a generated
 * 19,600-file / 200 MB tree (bench/tree.ts) and on this repository's node_modules, each beside
 * ripgrep on the same tree in the same run, and again with a PATH that lacks rg (the worker).
 * "Added" is the CLI run with the one tool call minus the same run without it (start-up and the
 * fake model cost the same in both), round by round. Both runs must give the model the same text.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { reply, startFakeOpenAI, type Scripted } from "../test/support/fake-openai.js";
import { pathWithoutRg } from "../test/support/search-engines.js";
import { median, mib, runCli, timedSpawn, type Timed } from "./cli-run.js";
import { generateTree } from "./tree.js";

const RUNS = Number(process.env.SEARCH_RUNS ?? 7);
const hasRg = spawnSync("rg", ["--version"]).status === 0;

type Script = () => Scripted[];

/** One CLI run answering `script()`, with the observation its one tool call gave (if any). */
async function cliRun(dir: string, script: Script, path = process.env.PATH): Promise<Timed & { observation?: string }> {
  const fake = await startFakeOpenAI(script());
  const saved = process.env.PATH;
  process.env.PATH = path;
  try {
    const run = await runCli(dir, fake);
    const tool = fake.requests.at(-1)?.messages.find((message: { role: string }) => message.role === "tool");
    return { ...run, observation: tool?.content };
  } finally {
    process.env.PATH = saved;
    await fake.close();
  }
}

/**
 * RUNS rounds of: the CLI without the call, with it, with it and no rg on PATH, and rg (when
 * there). Interleaved so that a change in the machine's load (other processes) falls on all alike;
 * "added" is the median of each round's difference, the peaks the largest seen.
 */
async function rounds(dir: string, call: Script, rgArgs?: string[]) {
  const base = () => [reply().text("ok")];
  const added: number[] = [];
  const addedWithoutRg: number[] = [];
  const rg: Timed[] = [];
  let baseRss = 0;
  let callRss = 0;
  let same = true;
  for (let i = 0; i < RUNS; i++) {
    const without = await cliRun(dir, base);
    const withCall = await cliRun(dir, call);
    const withoutRg = await cliRun(dir, call, pathWithoutRg());
    added.push(withCall.ms - without.ms);
    addedWithoutRg.push(withoutRg.ms - without.ms);
    // The worker skips files over 2 MB and says so in a last line; rg searches them.
    same &&= withCall.observation === withoutRg.observation?.replace(/\n\[Skipped \d+ files? over 2 MB \(use read_file\)\.\]$/, "");
    baseRss = Math.max(baseRss, without.rssKb ?? 0);
    callRss = Math.max(callRss, withCall.rssKb ?? 0);
    // "." because rg reads stdin when it is not a terminal and no path is given.
    if (rgArgs) rg.push(await timedSpawn("rg", [...rgArgs, "."], { cwd: dir }));
  }
  const rgRss = rg.flatMap((run) => (run.rssKb ? [run.rssKb] : []));
  return {
    added: median(added),
    addedWithoutRg: median(addedWithoutRg),
    same,
    addedRss: baseRss && callRss ? `+${((callRss - baseRss) / 1024).toFixed(0)} MiB peak` : "peak n/a",
    rg: rg.length ? { ms: median(rg.map((run) => run.ms)), rssKb: rgRss.length ? Math.max(...rgRss) : undefined } : undefined,
  };
}

/** The rows for one tree: grep createServer( and list_files **\/*.d.ts, added cost beside rg. */
async function treeRows(label: string, dir: string): Promise<string[]> {
  // The same search as ours: hidden files included, .gitignore files applied without a git repository.
  const same = ["--no-config", "--no-require-git", "--hidden"];
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
      rgText = `rg ${search.rg.slice(same.length).join(" ")} ${run.rg.ms.toFixed(0)} ms, ${mib(run.rg.rssKb)} · ratio ${(run.added / run.rg.ms).toFixed(2)}× (target ≤ 1.5×)`;
    }
    rows.push(`${label}: ${search.name} added ${run.added.toFixed(0)} ms, ${run.addedRss} (target ≤ +30) · ${rgText}`);
    rows.push(`${label}: ${search.name} without rg (the worker) added ${run.addedWithoutRg.toFixed(0)} ms · same observation: ${run.same ? "yes" : "NO"}`);
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
