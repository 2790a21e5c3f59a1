// Build dist/ for the `mini-claude` command: type-check with tsc, then bundle with esbuild.
//
// Why bundle: Node resolves and reads every ES module file separately, and the openai package
// alone is a hundred of them. One bundle with a chunk per lazy import() saves ~120 ms on every
// --print run (measured with `npm run bench`), and --version still loads only cli.js and args.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { build } from "esbuild";

execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "tsconfig.json"], { stdio: "inherit" });
rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: ["src/cli.ts"],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: "dist",
  logLevel: "warning",
  // Bundled CommonJS packages (dotenv, ignore, picomatch…) call require(); ES modules have none.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
