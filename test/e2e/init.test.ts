import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe("/init", () => {
  it("sends a request to look at the project and write AGENTS.md; the model writes it with its tools; the turn is named /init", async () => {
    const ws = tempWorkspace({ "package.json": '{"scripts":{"test":"vitest"}}\n' });
    const fake = await fakeOpenAI([
      reply().tool("read_file", { path: "package.json" }),
      reply().tool("write_file", { path: "AGENTS.md", content: "# Agents\n\nTest with `npm test`.\n" }),
      reply().text("Wrote AGENTS.md."),
    ]);
    const result = await runCli(["--yes"], cliOptions(ws, fake, { stdin: "/init mention the test command\n/rewind\nexit\n" }));
    expect(result.code).toBe(0);
    const sent = fake.requests[0].messages.at(-1).content as string;
    expect(sent).toMatch(/^Look at this project and write AGENTS\.md at its root/);
    expect(sent).toContain("Also: mention the test command");
    expect(sent).not.toContain("exists already");
    expect(ws.read("AGENTS.md")).toContain("npm test");
    expect(result.stdout).toContain("Wrote AGENTS.md.");
    expect(result.stdout).toContain('1. "/init mention the test command" — created AGENTS.md');
  });

  it("asks to improve an AGENTS.md that exists", async () => {
    const ws = tempWorkspace({ "AGENTS.md": "# Old\n" });
    const fake = await fakeOpenAI([reply().text("Improved.")]);
    await runCli([], cliOptions(ws, fake, { stdin: "/init\nexit\n" }));
    expect(fake.requests[0].messages.at(-1).content).toContain("AGENTS.md exists already: read it first and improve it");
  });
});
