import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe.each([60, 120])("what a shell command changed, at %i columns", (columns) => {
  it("an exec that changed files says which under its outcome; /diff shows its changes beside the file tools'", async () => {
    const ws = tempWorkspace({ "app.js": "const port = 3000;\n", "notes.txt": "todo\n" });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "sed -i 's/3000/8080/' app.js" }),
      reply().tool("write_file", { path: "notes.txt", content: "done\n" }),
      reply().tool("exec", { command: "echo nothing changes" }),
      reply().text("Moved the port."),
    ]);
    const pty = await startRepl(["--yes", "--sandbox=off"], { ...cliOptions(ws, fake), columns, env: { PAGER: "cat" } });
    pty.type("move the port\r");
    await pty.waitFor("Moved the port.");
    pty.type("/diff\r");
    await pty.waitFor("+done");
    await pty.quit();
    const screen = await pty.rendered();
    const lines = screen.split("\n");
    const sed = lines.findIndex((line) => line.includes("sed -i"));
    expect(lines[sed + 1]).toMatch(/^ {2}└ exit 0/);
    expect(lines[sed + 2]).toBe("    changed: app.js");
    // A command that changed nothing gets no such line; a file tool shows its diff instead.
    expect(screen.match(/changed: /g)).toHaveLength(1);
    const diff = screen.slice(screen.lastIndexOf("/diff"));
    expect(diff).toContain("-const port = 3000;");
    expect(diff).toContain("+const port = 8080;");
    expect(diff).toContain("-todo");
    expect(diff).not.toContain("not tracked");
  });
});
