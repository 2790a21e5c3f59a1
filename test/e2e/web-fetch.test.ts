import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const PAGE = `<!doctype html><html><head><title>Widget 2.0</title>
<style>body { color: hotpink }</style><script>window.tracker = "SCRIPT-TEXT"</script></head>
<body><nav><a href="/">Home</a> | <a href="/docs">Docs</a></nav>
<main><article><h1>Widget 2.0 is out</h1>
<p>Widget 2.0 brings <strong>faster builds</strong> and a new <code>--watch</code> flag; read the <a href="/migrate">migration guide</a> before you upgrade.</p>
<h2>What changed</h2><ul><li>Builds are 40% faster on large projects.</li><li>Node 20 is the minimum.</li></ul>
<table><tr><th>Version</th><th>Build time</th></tr><tr><td>1.9</td><td>10 s</td></tr><tr><td>2.0</td><td>6 s</td></tr></table>
<script>document.write("INLINE-SCRIPT")</script></article></main><footer>© Widget Inc.</footer></body></html>`;

/** The pages, on 127.0.0.1 (a private address: the test allows it by name, as a person would). */
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function startPages(): Promise<{ base: string; port: number; seen: Record<string, string | undefined>[] }> {
  const seen: Record<string, string | undefined>[] = [];
  server = createServer((req, res) => {
    seen.push({ url: req.url, cookie: req.headers.cookie, authorization: req.headers.authorization });
    const port = (server!.address() as AddressInfo).port;
    if (req.url === "/page.html") return res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
    if (req.url === "/data.json") return res.writeHead(200, { "content-type": "application/json" }).end('{"version":"2.0","ok":true}');
    if (req.url === "/logo.bin") return res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "4096" }).end(Buffer.alloc(4096, 7));
    if (req.url === "/moved") return res.writeHead(301, { location: "/page.html" }).end();
    if (req.url === "/away") return res.writeHead(302, { location: `http://localhost:${port}/data.json` }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { base: `http://127.0.0.1:${port}`, port, seen };
}

const toolOutputs = (request: any) => Object.fromEntries(request.messages.filter((m: any) => m.role === "tool").map((m: any) => [m.tool_call_id, m.content as string]));

describe("web_fetch", () => {
  it("gives a page as Markdown without scripts or styles, follows an allowed redirect, passes JSON through and describes a binary type", async () => {
    const { base, port, seen } = await startPages();
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply()
        .tool("web_fetch", { url: `${base}/moved` }, "c_page")
        .tool("web_fetch", { url: `${base}/data.json` }, "c_json")
        .tool("web_fetch", { url: `${base}/logo.bin` }, "c_bin"),
      reply().text("Read them."),
    ]);
    const result = await runCli(["-p", "--allow-domain", `127.0.0.1:${port}`, "what changed in widget 2.0?"], cliOptions(ws, fake));
    expect(result.stdout).toBe("Read them.\n");
    const out = toolOutputs(fake.requests[1]);
    expect(out.c_page).toContain(`URL: ${base}/page.html (after 1 redirect)`);
    expect(out.c_page).toContain("# Widget 2.0 is out");
    expect(out.c_page).toContain("**faster builds**");
    expect(out.c_page).toContain(`[migration guide](${base}/migrate)`);
    expect(out.c_page).toMatch(/\| Version \| Build time \|/);
    expect(out.c_page).not.toMatch(/SCRIPT-TEXT|INLINE-SCRIPT|hotpink|<script|<style/);
    expect(out.c_json).toBe(`URL: ${base}/data.json\nStatus: 200\nContent-Type: application/json\n\n{"version":"2.0","ok":true}`);
    expect(out.c_bin).toContain("[application/octet-stream content (4096 bytes) not shown: web_fetch shows HTML, text, JSON and Markdown.]");
    // Nothing secret went out with the requests.
    expect(seen.every((request) => request.cookie === undefined && request.authorization === undefined)).toBe(true);
  });

  it("in --print refuses a domain no rule allows, saying how to allow it, and refuses a redirect to one", async () => {
    const { base, port, seen } = await startPages();
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("web_fetch", { url: `${base}/away` }, "c_away").tool("web_fetch", { url: `http://localhost:${port}/data.json` }, "c_direct"),
      reply().text("Both refused."),
    ]);
    const result = await runCli(["-p", "--allow-domain", `127.0.0.1:${port}`, "fetch them"], cliOptions(ws, fake));
    expect(result.stdout).toBe("Both refused.\n");
    const out = toolOutputs(fake.requests[1]);
    expect(out.c_away).toMatch(/^Error: not run: `web_fetch http:\/\/localhost:\d+\/data.json \(redirected from http:\/\/127\.0\.0\.1:\d+\/away\)` wants localhost:\d+, a private address/);
    expect(out.c_direct).toContain(`Tell the user to re-run with --allow-domain localhost:${port}, or add it to "sandbox": {"network": {"allowedDomains": [...]}} in settings.`);
    // The redirect's first hop was fetched; its target never was.
    expect(seen.map((request) => request.url)).toEqual(["/away"]);
  });

  it("the REPL asks about a domain once, naming it and the call; the answer holds for the session", async () => {
    const { base, port, seen } = await startPages();
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("web_fetch", { url: `${base}/data.json` }, "c1"),
      reply().tool("web_fetch", { url: `${base}/page.html` }, "c2"),
      reply().text("Fetched both."),
    ]);
    const result = await runCli([], cliOptions(ws, fake, { stdin: ["fetch both", "s", ""].join("\n") }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Network: \`web_fetch ${base}/data.json\` wants 127.0.0.1:${port}.`);
    expect(result.stdout.match(/Allow 127\.0\.0\.1:\d+\?/g)).toHaveLength(1);
    expect(result.stdout).toContain("Fetched both.");
    expect(seen.map((request) => request.url)).toEqual(["/data.json", "/page.html"]);
    expect(toolOutputs(fake.requests[2]).c2).toContain("# Widget 2.0 is out");
  });
});
