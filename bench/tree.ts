/**
 * A generated source tree for the search rows of `npm run bench`: about 19,600 files and 200 MB
 * in nested folders, like a large node_modules, built in a temp dir and removed by the caller.
 * Plain text throughout, a few binary files, one .gitignore'd folder, and a known number of
 * files that call createServer( so every search has real matches.
 */
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TREE_FILES = 19_600;
const WORDS = "const let function return import export from require module value buffer stream parser render token async await".split(" ");

/** Builds the tree; returns its root (a real path). Deterministic: same files every run. */
export function generateTree(files = TREE_FILES, bytesPerFile = 10_400): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-tree-")));
  writeFileSync(join(root, ".gitignore"), "ignored/\n*.log\n");
  // One line pool, reused: generating 200 MB of distinct text would dominate the bench's time.
  const lines = Array.from({ length: 400 }, (_, i) => `  ${WORDS[i % WORDS.length]} v${i} = ${WORDS[(i * 7) % WORDS.length]}(${i}, "${WORDS[(i * 3) % WORDS.length]}");`);
  const body = (n: number) => {
    const out: string[] = [];
    let size = 0;
    for (let i = 0; size < bytesPerFile; i++) {
      const line = lines[(n * 31 + i) % lines.length];
      out.push(line);
      size += line.length + 1;
    }
    if (n % 97 === 0) out.splice(out.length >> 1, 0, `  const server = http.createServer(handler${n});`);
    return out.join("\n") + "\n";
  };
  for (let n = 0; n < files; n++) {
    const dir = join(root, `pkg-${n % 140}`, n % 3 === 0 ? "lib" : n % 3 === 1 ? "dist/types" : "src", `d${n % 7}`);
    mkdirSync(dir, { recursive: true });
    const ext = n % 5 === 0 ? ".d.ts" : n % 5 === 1 ? ".json" : n % 50 === 2 ? ".bin" : ".js";
    const content = ext === ".bin" ? Buffer.concat([Buffer.from([0, 1, 2, 3]), Buffer.from(body(n))]) : body(n);
    writeFileSync(join(dir, `file${n}${ext}`), content);
  }
  mkdirSync(join(root, "ignored"), { recursive: true });
  writeFileSync(join(root, "ignored", "server.js"), "http.createServer(ignored);\n");
  return root;
}
