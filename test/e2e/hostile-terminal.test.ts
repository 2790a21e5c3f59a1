import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { error, reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty, startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

/**
 * Text an attacker wrote (a file's name or content, the model's reply, a command) reaches the
 * person's terminal only as text: these tests read what a real pty received and what a terminal
 * emulator shows.
 */

const fakeOpenAI = useFakeOpenAI();
const tools = (request: any) => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
const CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07";

describe("what the person sees of hostile text", () => {
  it("shows a command's hidden newlines and cursor escapes at the approval question", async () => {
    const ws = tempWorkspace();
    const command = `touch PWNED${"\n".repeat(60)}\x1b[2K\x1b[1A\rnpm test`;
    const fake = await fakeOpenAI([reply().tool("exec", { command }), reply().text("Fine.")]);
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake));
    pty.type("run the tests\r");
    await pty.waitFor("[a]lways: ");
    await settle();
    const screen = (await pty.rendered()).split("\n");
    expect(screen.at(-1)).toMatch(/^Run this command\? \[Y\]es/);
    expect(screen.at(-2)).toBe("Asking because the sandbox is off, so every command asks.");
    // The whole command on view just above the question and its reason (wrapped to the screen): nothing erased or hidden.
    const start = screen.lastIndexOf("Command:");
    expect(screen[start - 1]).toBe("• exec touch PWNED \\x1b[2K\\x1b[1A npm test");
    // Wrapped at spaces under a hanging indent: the same text once the rows are joined.
    const shown = screen.slice(start + 1, -2);
    expect(shown.slice(1).every((row) => row.startsWith("    "))).toBe(true);
    expect(shown.join("").replace(/\s+/g, "")).toBe(`touchPWNED${"\\n".repeat(60)}\\x1b[2K\\x1b[1A\\rnpmtest`);
    pty.type("n\r");
    await pty.waitFor("Fine.");
    await pty.quit();
    expect(existsSync(join(ws.root, "PWNED"))).toBe(false);
  });

  it("asks before a protected write in the REPL, showing the diff, and refuses it in --print", async () => {
    const ws = tempWorkspace({ ".git/config": "[core]\n\tbare = false\n" });
    const planted = "[core]\n\tbare = false\n\tfsmonitor = touch PWNED\n";
    const fake = await fakeOpenAI([reply().tool("edit_file", { path: ".git/config", old_string: "\tbare = false\n", new_string: "\tbare = false\n\tfsmonitor = touch PWNED\n" }), reply().text("Left it.")]);
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake));
    pty.type("tidy up\r");
    await pty.waitFor("[a]lways: ");
    await settle();
    const screen = await pty.rendered();
    expect(screen).toContain("• edit_file .git/config");
    expect(screen).toMatch(/\+\s+fsmonitor = touch PWNED/);
    expect(screen).toMatch(/\+\s+fsmonitor = touch PWNED\n\.git\/config is protected: git runs what its hooks and config name \(core\.fsmonitor\)[^]*\nWrite \.git\/config\? \[Y\]es/);
    pty.type("n it runs code\r");
    await pty.waitFor("Left it.");
    await pty.quit();
    expect(ws.read(".git/config")).toBe("[core]\n\tbare = false\n");
    expect(tools(fake.requests[1])[0]).toMatch(/^Error: the user refused this write to \.git\/config: it runs code\. It is a protected path/);

    fake.push(reply().tool("write_file", { path: ".git/config", content: planted }), reply().text("Could not."));
    const printed = await runCli(["-p", "tidy up"], cliOptions(ws, fake));
    expect(printed.code).toBe(0);
    expect(ws.read(".git/config")).toBe("[core]\n\tbare = false\n");
    expect(tools(fake.requests[3])[0]).toMatch(/^Error: not run: \.git\/config is protected: git runs [^]*, and --print cannot ask the user\. Tell the user to re-run with --yes/);
  });

  it("never lets a file name's OSC 52 reach the terminal, in labels, outcomes or did-you-mean hints", async () => {
    const ws = tempWorkspace();
    const name = `notes${CLIPBOARD}.txt`;
    writeFileSync(join(ws.root, name), "hello\n");
    const fake = await fakeOpenAI([
      reply().tool("list_files", {}),
      reply().tool("read_file", { path: name }),
      reply().tool("read_file", { path: `notes${CLIPBOARD}.tx` }),
      reply().text(`Read ${name}.`),
    ]);
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake, { env: { NO_COLOR: "1" } }));
    pty.type("look\r");
    await pty.waitFor(/Read notes.*txt\./);
    await pty.quit();
    expect(pty.raw()).not.toContain("\x1b]52");
    expect(pty.raw()).not.toContain("\x07");
    const screen = await pty.rendered();
    expect(screen).toContain("• read_file notes\\x1b]52;c;cm0gLXJmIH4=\\x07.txt");
    expect(screen.replace(/\s+/g, " ")).toContain("does not exist. Did you mean notes\\x1b]52;c;");
  });

  it("keeps the tool lines on screen under a flood of zero-width characters", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("write_file", { path: "quiet.txt", content: "x\n" }),
      // Echoed raw first, then replaced by its rendering once the line ends: counted one column each,
      // 250 zero-width characters made the renderer move up over the tool lines and erase them.
      // (Combining marks, which the emulator also draws in no column of their own; it gives U+200B one.)
      reply().text(`x${"\u0301".repeat(250)}`).text("\nAll good here.\n").delay(50),
    ]);
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake));
    pty.type("write it\r");
    await pty.waitFor(/All good here\.[^]*mini-claude> /);
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toContain("• write_file quiet.txt");
    expect(screen).toMatch(/└ Created quiet\.txt \(1 lines, 2 bytes\)\./);
    expect(screen).toContain("All good here.");
  });

  it("shows a deceptive link's real target, on a terminal that supports hyperlinks", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Install from [https://github.com/you/tool](https://evil.example/x.sh) today.\n")]);
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake, { env: { FORCE_HYPERLINK: "1" } }));
    pty.type("how do I install\r");
    await pty.waitFor(/today\.[^]*mini-claude> /);
    await pty.quit();
    expect(pty.raw()).not.toContain("\x1b]8;");
    expect(await pty.rendered()).toContain("Install from https://github.com/you/tool (https://evil.example/x.sh) today.");
  });

  it("shows write_file over an existing file as a diff", async () => {
    const ws = tempWorkspace({ "app.js": "const port = 3000;\nlisten(port);\n" });
    const fake = await fakeOpenAI([reply().tool("write_file", { path: "app.js", content: "const port = 8080;\nlisten(port);\n" }), reply().text("Done.")]);
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake));
    pty.type("change the port\r");
    await pty.waitFor(/Done\.[^]*mini-claude> /);
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toMatch(/└ Overwrote app\.js \(2 lines, 33 bytes\)\./);
    expect(screen).toContain("-const port = 3000;");
    expect(screen).toContain("+const port = 8080;");
  });

  it("--print on a terminal without colour strips the answer's escapes; a pipe gets it as is", async () => {
    const ws = tempWorkspace();
    const answer = `Copied${CLIPBOARD} \x1b]0;owned\x07done.`;
    const fake = await fakeOpenAI([reply().text(answer), reply().text(answer)]);
    const pty = startPty(["--sandbox=off", "-p", "hi"], cliOptions(ws, fake, { env: { NO_COLOR: "1" } }));
    expect((await pty.done).code).toBe(0);
    expect(pty.raw()).not.toContain("\x1b]");
    expect(await pty.rendered()).toContain("Copied done.");
    const piped = await runCli(["-p", "hi"], cliOptions(ws, fake));
    expect(piped.stdout).toBe(`${answer}\n`);
  });

  it("lists sessions for --resume with the escapes of a pasted first request made visible", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("ok")]);
    await runCli(["-p", "fix\x1b]0;owned\x07 this"], cliOptions(ws, fake));
    // On a terminal --resume opens the picker; Esc leaves it.
    const pty = startPty(["--sandbox=off", "--resume"], cliOptions(ws, fake));
    await pty.waitFor("fix");
    pty.type("\x1b");
    expect((await pty.done).code).toBe(0);
    expect(pty.raw()).not.toContain("\x1b]0;");
    expect(await pty.rendered()).toContain("fix\\x1b]0;owned\\x07 this");
  });

  it("shows a background job's escapes in /bg, and strips them from an endpoint's error", async () => {
    const ws = tempWorkspace();
    const command = "sleep 30 # \x1b]0;owned\x07\u202e";
    const fake = await fakeOpenAI([
      reply().tool("exec", { command, background: true }),
      reply().text("Started."),
      error(400, `Bad request${CLIPBOARD}\x1b[2J`),
    ]);
    const pty = await startRepl(["--sandbox=off", "--yes"], cliOptions(ws, fake));
    // The job's startup wait is 3 s; a loaded machine may need more patience than the default.
    const mark = pty.screen().length;
    pty.type("start it\r");
    // Wait for the turn to end (the prompt again): what is typed during a turn is queued, not run.
    await pty.waitFor(/Started\.[^]*mini-claude> /, { from: mark, timeoutMs: 20_000 });
    pty.type("/bg\r");
    await pty.waitFor("sleep 30 #", { timeoutMs: 20_000 });
    pty.type("again\r");
    await pty.waitFor("Bad request", { timeoutMs: 20_000 });
    await settle();
    await pty.quit();
    expect(pty.raw()).not.toMatch(/\x1b\]0;|\x1b\]52|\x1b\[2J|\u202e/);
    const screen = await pty.rendered();
    expect(screen).toContain("sleep 30 # \\x1b]0;owned\\x07\\u{202e}");
    expect(screen).toMatch(/Bad request/);
  });
});
