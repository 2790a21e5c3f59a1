// Build dist/ for the `mini-claude` command: type-check with tsc, then bundle with esbuild.
//
// Why bundle: Node resolves and reads every ES module file separately, and the openai package
// alone is a hundred of them. One bundle with a chunk per lazy import() saves ~120 ms on every
// --print run (measured with `npm run bench`), and --version still loads only cli.js and args.
// The bundle needs no node_modules at run time except the sandbox engine's helper binaries, which
// src/processes/sandbox-host.ts names from the installed package.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";

// `npm install -g .` links this folder and runs `prepare` here without installing anything, so
// the build tools may be missing: install the locked dependencies first (scripts off, so this
// does not run `prepare` again).
if (!existsSync("node_modules/esbuild") || !existsSync("node_modules/typescript")) {
  console.error("mini-claude: installing build dependencies (npm ci)...");
  // The outer `npm install -g` passes npm_config_global=true down; this install is local.
  const env = { ...process.env, npm_config_global: "false", npm_config_location: "project" };
  execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { stdio: ["ignore", "inherit", "inherit"], env });
}

// `npm run check` type-checks on its own first, and builds with --no-typecheck so tsc runs once.
if (!process.argv.includes("--no-typecheck")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "tsconfig.json"], { stdio: "inherit" });
}
const { build } = await import("esbuild");
rmSync("dist", { recursive: true, force: true });
await build({
  // grep's and list_files' worker, when rg is missing, is a file of its own (src/tools/search.ts).
  entryPoints: { cli: "src/cli.ts", "search-worker": "src/tools/search-worker.ts" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: "dist",
  // sharp (images.ts's shrinking) loads a native library of its own: it stays in node_modules.
  external: ["sharp"],
  logLevel: "warning",
  // Bundled CommonJS packages (dotenv, ignore, picomatch…) call require(); ES modules have none.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
