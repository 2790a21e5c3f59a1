import { join } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { loadAgents } from "../../src/extend/agents.js";
import { agentTool, type SubagentHost } from "../../src/loop/subagent.js";
import { createRegistry } from "../../src/tools/index.js";
import { tempWorkspace } from "../support/workspace.js";

/** What the parent model sees of the `agent` tool, and what it costs on every request. */

function agentSpec(files: Record<string, string> = {}): any {
  const ws = tempWorkspace(files);
  const agents = loadAgents({ workspace: ws.root, configDir: join(ws.outside, "config"), home: undefined, dataDir: join(ws.outside, "data") });
  const notCalled = () => {
    throw new Error("only the schema is read");
  };
  const host: SubagentHost = { agents, client: notCalled, model: notCalled, window: notCalled, tools: notCalled, maxSteps: 1, emit: notCalled, finished: notCalled };
  return createRegistry([agentTool(host)]).specs()[0];
}

describe("the agent tool's schema", () => {
  it("asks for a description and a self-contained prompt; the type is optional", () => {
    const { parameters } = agentSpec().function;
    expect(parameters.required).toEqual(["description", "prompt"]);
    for (const property of Object.values<any>(parameters.properties)) expect(property.description).toBeTruthy();
    expect(agentSpec()).toMatchSnapshot();
  });

  it("costs at most 140 tokens (o200k), counted apart from the core tools; each custom agent adds one short clause", () => {
    expect(countTokens(JSON.stringify(agentSpec()))).toBeLessThanOrEqual(140);
    const custom = agentSpec({ ".claude/agents/reviewer.md": "---\nname: reviewer\ndescription: Reviews a change for bugs\n---\nReview.\n" });
    expect(custom.function.description).toMatch(/\nAgent types: reviewer \(Reviews a change for bugs\)\.$/);
    expect(countTokens(JSON.stringify(custom)) - countTokens(JSON.stringify(agentSpec()))).toBeLessThanOrEqual(20);
  });

  it("leaves out a project's acting agent until it is trusted", () => {
    const spec = agentSpec({ ".claude/agents/runner.md": "---\nname: runner\ndescription: Runs the tests\ntools: Bash\n---\nRun.\n" });
    expect(spec.function.description).not.toContain("runner");
  });
});
