/**
 * The agent tool's rows of `npm run bench`: what it adds to every parent request (its schema, with
 * no custom agent and with three), apart from the core tool set, and what each subagent request
 * carries before its task (its own system prompt and its read-only tools' schemas). o200k tokens.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { findAgent, loadAgents, READ_ONLY_TOOLS, subagentPrompt } from "../src/extend/agents.js";
import { agentTool, type SubagentHost } from "../src/loop/subagent.js";
import { createRegistry, tools } from "../src/tools/index.js";

const CUSTOM = [
  ["code-reviewer", "Reviews a change for bugs, style and missing tests"],
  ["test-runner", "Runs the test suite and explains failures"],
  ["doc-writer", "Writes and updates the README and doc comments"],
];

/** The `agent` tool's schema as a parent request carries it, for a workspace with these agent files. */
export function agentSchemaTokens(workspace: string): number {
  const agents = loadAgents({ workspace, configDir: join(workspace, ".none"), home: undefined, dataDir: join(workspace, ".none"), trustProject: true });
  const notCalled = () => {
    throw new Error("only the schema is read");
  };
  const host: SubagentHost = { agents, client: notCalled, model: notCalled, window: notCalled, tools: notCalled, maxSteps: 1, emit: notCalled, finished: notCalled };
  return countTokens(JSON.stringify(createRegistry([agentTool(host)]).specs()));
}

export function agentToolRows(): string[] {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "mini-claude-bench-")));
  try {
    const bare = agentSchemaTokens(root);
    mkdirSync(join(root, ".claude", "agents"), { recursive: true });
    for (const [name, description] of CUSTOM) writeFileSync(join(root, ".claude", "agents", `${name}.md`), `---\nname: ${name}\ndescription: ${description}\n---\nYou review.\n`);
    const withCustom = agentSchemaTokens(root);
    const builtIn = findAgent(loadAgents({ workspace: root, configDir: root, home: undefined, dataDir: root }).all, undefined)!;
    const prompt = countTokens(subagentPrompt(builtIn, "/home/user/projects/my-app"));
    const readOnly = countTokens(JSON.stringify(createRegistry(tools.filter((tool) => READ_ONLY_TOOLS.includes(tool.name))).specs()));
    return [
      `agent tool schema (o200k, apart from the core tools): ${bare} tokens; with 3 custom agents ${withCustom}`,
      `a subagent request before its task: system prompt ${prompt} + read-only tools ${readOnly} = ${prompt + readOnly} tokens (no agent tool)`,
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
