import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Where the suite's time goes: the real CLI it spawns (a few hundred runs, ~85% of its CPU) and
 * the waits on them, not vitest. So:
 * - two files per core keep both cores busy while e2e tests wait on their child (vitest's default
 *   on a 2-core machine is one worker, which ran every file in turn);
 * - the end-to-end files run in worker threads that keep their modules between files (isolate:
 *   false), which halves vitest's own CPU for them: they import only the test support and pure
 *   helpers of src/;
 * - unit files keep a process each (vitest's default): src/ keeps per-process memory (a server
 *   that refused stream_options, say) that one file would leave to the next; some files measure
 *   their own process (CPU while idle, peak memory), which other files' threads would add to; and
 *   a thread torn down after a file that opened a descriptor of its own aborts Node.
 */
const endToEnd = ["test/e2e/**/*.test.ts", "test/compat/**/*.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    maxWorkers: Math.max(2, availableParallelism() * 2),
    projects: [
      { extends: true, test: { name: "e2e", include: endToEnd, pool: "threads", isolate: false } },
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: endToEnd, pool: "forks" } },
    ],
  },
});
