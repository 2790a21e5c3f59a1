import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * Where the suite's time goes: the real CLI it spawns (a few hundred runs, ~85% of its CPU) and
 * the waits on them, not vitest. So:
 * - worker threads that keep modules between files (isolate: false) halve vitest's own CPU; no
 *   test mocks a module, and the one that changes process.env puts it back;
 * - two files per core keep both cores busy while e2e tests wait on their child (vitest's default
 *   on a 2-core machine is one worker, which ran every file in turn);
 * - files that measure this process (its CPU while idle, its peak memory) run in a process of
 *   their own, where other files' threads cannot add to what they measure.
 */
const measuresItsProcess = ["test/processes/run.test.ts", "test/tools/file-tools.test.ts", "test/tools/grep.test.ts", "test/tools/list-files.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: Math.max(2, availableParallelism() * 2),
    projects: [
      {
        extends: true,
        test: { name: "shared", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...measuresItsProcess], pool: "threads", isolate: false },
      },
      { extends: true, test: { name: "own-process", include: measuresItsProcess, pool: "forks" } },
    ],
  },
});
