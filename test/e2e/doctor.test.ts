import { describe, expect, it } from "vitest";
import { CLAUDE_PROJECT } from "../doctor/fixture.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

describe("mini-claude doctor, the subcommand", () => {
  it("needs no endpoint, reads the folder of -w or the current one, and prints the report", async () => {
    const ws = tempWorkspace(CLAUDE_PROJECT);
    const here = await runCli(["doctor"], cliOptions(ws));
    expect(here.stderr).toBe("");
    expect(here.code).toBe(0);
    expect(here.stdout).toMatch(/^Instructions \(CLAUDE\.md, AGENTS\.md and their imports\)\n  AGENTS\.md +instructions +works\n/);
    // Hooks see Claude Code's names and fields, so its guard script is not flagged.
    expect(here.stdout).toMatch(/hooks\.PreToolUse \(1\) +partly +"defer" is not honoured\n +hooks\.PostToolUse/);
    expect(here.stdout.trimEnd().split("\n").at(-1)).toBe("9 work, 10 partly, 10 ignored, 0 flagged.");
    const elsewhere = await runCli(["doctor", "-w", ws.root], cliOptions({ root: ws.outside, home: ws.home }));
    expect(elsewhere.stdout).toBe(here.stdout);
    const missing = await runCli(["doctor", "-w", `${ws.root}/nope`], cliOptions(ws));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`mini-claude: doctor: no folder ${ws.root}/nope\n`);
  });
});
