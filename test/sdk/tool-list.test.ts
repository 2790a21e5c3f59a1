import { describe, expect, it } from "vitest";
import { nameMatches } from "../../src/sdk/permissions.js";
import { splitRules } from "../../src/config/claude-flags.js";

describe("Claude's tool list flags", () => {
  it("names tools for --tools and bare --disallowedTools; rules with a pattern are the approval decision's", () => {
    expect(nameMatches("Bash", "Bash")).toBe(true);
    expect(nameMatches("Bash(*)", "Bash")).toBe(true);
    expect(nameMatches("Read", "Write")).toBe(false);
    expect(nameMatches("Bash(npm test:*)", "Bash")).toBe(false);
    expect(nameMatches("mcp__db", "mcp__db__query")).toBe(true);
    expect(nameMatches("mcp__db__*", "mcp__db__query")).toBe(true);
    expect(nameMatches("mcp__db__query", "mcp__db__drop")).toBe(false);
  });

  it("splits --allowedTools lists on commas and spaces, but not inside parentheses", () => {
    expect(splitRules(["Read,Bash(git log:*)", "Edit Bash(npm run build, test:*)"])).toEqual(["Read", "Bash(git log:*)", "Edit", "Bash(npm run build, test:*)"]);
  });
});
