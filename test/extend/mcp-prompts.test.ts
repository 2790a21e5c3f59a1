import { describe, expect, it } from "vitest";
import { promptArguments, type RemotePrompt } from "../../src/extend/mcp/prompts.js";

const review: RemotePrompt = {
  name: "review",
  description: "Review a file",
  arguments: [
    { name: "file", required: true },
    { name: "focus", required: false },
  ],
};
const command = { command: "/mcp__docs__review", prompt: review };

describe("MCP prompt arguments", () => {
  it("maps words to the declared arguments in order, the last taking the rest; quotes group; name=value names one", () => {
    expect(promptArguments(command, "src/a.ts")).toEqual({ args: { file: "src/a.ts" } });
    expect(promptArguments(command, "src/a.ts error handling")).toEqual({ args: { file: "src/a.ts", focus: "error handling" } });
    expect(promptArguments(command, '"src/a b.ts" naming')).toEqual({ args: { file: "src/a b.ts", focus: "naming" } });
    expect(promptArguments(command, "focus=speed src/a.ts")).toEqual({ args: { focus: "speed", file: "src/a.ts" } });
  });

  it("says what is missing, with the usage line", () => {
    expect(promptArguments(command, "")).toEqual({ problem: "/mcp__docs__review needs file. Usage: /mcp__docs__review FILE [FOCUS]" });
    expect(promptArguments({ command: "/mcp__x__hello", prompt: { name: "hello", description: "", arguments: [] } }, "extra")).toEqual({ problem: "/mcp__x__hello takes no arguments." });
  });
});
