import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Where the suite's time goes: the real CLI it spawns (a few hundred runs, ~85% of its CPU) and
 * the waits on them, not vitest. So:
 * - two files per core keep both cores busy while e2e tests wait on their child (vitest's default
 *   on a 2-core machine is one worker, which ran every file in turn);
 * - worker threads, cheaper to start than processes;
 * - the end-to-end files keep their modules between files (isolate: false), which halves
 *   vitest's own CPU for them: they import only the test support and pure helpers of src/. Unit
 *   files stay isolated, since src/ keeps per-process memory (a server that refused
 *   stream_options, say) that one file's test would leave to the next;
 * - files that measure this process (its CPU while idle, its peak memory) run in a process of
 *   their own, where other files' threads cannot add to what they measure.
 */
const endToEnd = ["test/e2e/**/*.test.ts", "test/compat/**/*.test.ts"];
const measuresItsProcess = ["test/processes/run.test.ts", "test/tools/file-tools.test.ts", "test/tools/grep.test.ts", "test/tools/list-files.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: Math.max(2, availableParallelism() * 2),
    projects: [
      { extends: true, test: { name: "e2e", include: endToEnd, pool: "threads", isolate: false } },
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...endToEnd, ...measuresItsProcess], pool: "threads" },
      },
      { extends: true, test: { name: "own-process", include: measuresItsProcess, pool: "forks" } },
    ],
  },
});
