import { expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { forEachEngine, pathWithoutRg } from "../support/search-engines.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();
const tools = (request: any) => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);

/** The built CLI, so the bundle's worker file (dist/search-worker.js) is what runs without rg. */
forEachEngine("grep and list_files in the built CLI", (engine) => {
  it("search, list, filter and explain a bad pattern, then exit", async () => {
    const ws = tempWorkspace({
      ".gitignore": "dist/\n",
      "src/app.ts": "export function createServer() {}\n",
      "src/util.ts": "createServer();\n",
      "dist/app.js": "createServer();\n",
      "README.md": "Call createServer() first.\n",
    });
    const fake = await fakeOpenAI([
      reply()
        .tool("grep", { pattern: "createServer\\(" }, "g1")
        .tool("list_files", { pattern: "**/*.ts" }, "l1")
        .tool("grep", { pattern: "create(", glob: "*.ts" }, "g2"),
      reply().text("Found it."),
    ]);
    const env = engine === "no rg" ? { PATH: pathWithoutRg() } : {};
    const result = await runCli(["--yes", "--sandbox=off", "-p", "where is the server made?"], cliOptions(ws, fake, { env }));
    expect(result).toMatchObject({ code: 0, stdout: "Found it.\n" });
    const [found, listed, bad] = tools(fake.requests[1]);
    expect(found).toBe("README.md:1:Call createServer() first.\nsrc/app.ts:1:export function createServer() {}\nsrc/util.ts:1:createServer();");
    expect(listed).toBe("src/app.ts\nsrc/util.ts");
    expect(bad).toMatch(engine === "rg" ? /^Error: regex parse error:[\s\S]*This is ripgrep's Rust regex/ : /^Error: Invalid regular expression: \/create\(\/: Unterminated group\. .*JavaScript's regex/);
  });
});
