import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { systemPrompt } from "../../src/extend/system-prompt.js";
import { tools, toolSpecs, toolsForMode } from "../../src/tools/index.js";
import { exitPlanModeTool } from "../../src/tools/exit-plan-mode.js";

/** Tools beyond the core set, each counted apart from the core's budget. */
const OPTIONAL_TOOLS = ["web_fetch"];

describe("what the model sees", () => {
  it("every tool has a real schema: properties with descriptions, and required fields", () => {
    for (const spec of toolSpecs() as any[]) {
      const { parameters } = spec.function;
      expect(parameters.type, spec.function.name).toBe("object");
      expect(Object.keys(parameters.properties).length, spec.function.name).toBeGreaterThan(0);
      for (const [key, property] of Object.entries<any>(parameters.properties)) {
        expect(property.description, `${spec.function.name}.${key}`).toBeTruthy();
      }
      for (const name of parameters.required ?? []) expect(parameters.properties, spec.function.name).toHaveProperty(name);
      expect(parameters).not.toHaveProperty("$schema");
      expect(parameters).not.toHaveProperty("additionalProperties");
    }
  });

  it("marks the fields the tools cannot work without as required", () => {
    const required = Object.fromEntries((toolSpecs() as any[]).map((s) => [s.function.name, s.function.parameters.required ?? []]));
    expect(required).toMatchObject({
      read_file: ["path"],
      write_file: ["path", "content"],
      edit_file: ["path", "old_string", "new_string"],
      list_files: [],
      grep: ["pattern"],
      exec: ["command"],
      web_fetch: ["url"],
    });
  });

  it("matches the snapshot of the tools array", () => {
    expect(toolSpecs()).toMatchSnapshot();
  });

  it("fits the budget: system prompt plus tools within the core's 1,083 tokens (o200k)", () => {
    const prompt = systemPrompt({ root: "/home/user/projects/my-app", now: new Date("2026-01-01") });
    const core = tools.filter((tool) => !OPTIONAL_TOOLS.includes(tool.name));
    const total = countTokens(prompt) + countTokens(JSON.stringify(toolSpecs(core)));
    expect(core.length).toBeGreaterThanOrEqual(6);
    expect(total).toBeLessThanOrEqual(1083);
  });

  it("counts web_fetch apart: its schema costs at most 70 tokens per request", () => {
    const withIt = countTokens(JSON.stringify(toolSpecs()));
    const without = countTokens(JSON.stringify(toolSpecs(tools.filter((tool) => tool.name !== "web_fetch"))));
    expect(withIt - without).toBeGreaterThan(20);
    expect(withIt - without).toBeLessThanOrEqual(70);
  });

  it("plan mode: exit_plan_mode costs at most 110 tokens and is offered only there; its set (no write tools) costs less than the core's", () => {
    const prompt = countTokens(systemPrompt({ root: "/home/user/projects/my-app", now: new Date("2026-01-01") }));
    const planTools = toolsForMode(tools, () => true)();
    expect(planTools.map((tool) => tool.name)).toEqual(["read_file", "list_files", "grep", "exec", "web_fetch", "exit_plan_mode"]);
    expect(toolsForMode(tools, () => false)()).toBe(tools);
    const exitCost = countTokens(JSON.stringify(toolSpecs([exitPlanModeTool as never])));
    expect(exitCost).toBeLessThanOrEqual(110);
    expect(prompt + countTokens(JSON.stringify(toolSpecs(planTools)))).toBeLessThan(prompt + countTokens(JSON.stringify(toolSpecs())));
    expect(toolSpecs([exitPlanModeTool as never])).toMatchSnapshot();
  });
});
