/**
 * One grep or list_files call on a folder, as the tool runs it, printing the observation: the unit
 * the search bench times beside a bare rg. Bundle it first (node has no TypeScript at run time):
 *   npx esbuild bench/search-once.ts src/tools/search-worker.ts --bundle --platform=node --format=esm \
 *     --outdir=/tmp/search-once --entry-names=[name] --banner:js="import{createRequire}from'module';const require=createRequire(import.meta.url);"
 *   echo '{"type":"module"}' > /tmp/search-once/package.json
 *   node /tmp/search-once/search-once.js grep 'createServer\(' node_modules
 *   node /tmp/search-once/search-once.js list '**\/*.d.ts' node_modules
 * Without rg on PATH, the same runs the worker (search-worker.js beside it).
 */
import { realpathSync } from "node:fs";
import { grepTool } from "../src/tools/grep.js";
import type { ToolContext } from "../src/tools/index.js";
import { listFilesTool } from "../src/tools/list-files.js";

const [tool, pattern, folder = "."] = process.argv.slice(2);
const ctx = { root: realpathSync(folder), signal: new AbortController().signal, approve: async () => ({ approved: true }) } as unknown as ToolContext;
const result = tool === "list" ? await listFilesTool.run({ pattern }, ctx) : await grepTool.run({ pattern }, ctx);
console.log(typeof result === "string" ? result : result.output);
