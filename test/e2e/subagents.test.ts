import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { reply, useFakeOpenAI, type Scripted } from "../support/fake-openai.js";
import { startPty, startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

/**
 * The `agent` tool end to end: the parent and its subagents talk to the same fake server, told
 * apart by their system prompts (the parent's is mini-claude's own; a subagent's is its agent's).
 */

const fakeOpenAI = useFakeOpenAI();

const isParent = (body: any) => String(body.messages[0].content).startsWith("You are mini-claude");
const toolAnswers = (body: any) => body.messages.filter((m: any) => m.role === "tool");
/** The text of every request the parent sent, to search for what must never be there. */
const parentText = (requests: any[]) => JSON.stringify(requests.filter(isParent).map((body) => body.messages));

/**
 * Two subagents that each read a file and answer; their first replies wait until both first
 * requests are in (or 5 s), so `overlapped` says whether they really ran at the same time.
 */
function twoReaders() {
  let arrived = 0;
  let release!: () => void;
  const both = new Promise<void>((resolve) => (release = resolve));
  const state = { overlapped: false };
  let waitedOut = false;
  const timeout = new Promise<void>((resolve) => setTimeout(() => resolve(void (waitedOut = true)), 5000).unref());
  const respond = (body: any): Scripted | undefined => {
    if (isParent(body)) {
      if (toolAnswers(body).length === 0) {
        return reply()
          .text("Let me split this up.")
          .tool("agent", { description: "read alpha", prompt: "What does alpha.txt say?" }, "call_alpha")
          .tool("agent", { description: "read beta", prompt: "What does beta.txt say?" }, "call_beta");
      }
      return reply().text("Both subagents reported.");
    }
    const file = String(body.messages[1].content).includes("alpha") ? "alpha.txt" : "beta.txt";
    if (toolAnswers(body).length === 0) {
      if (++arrived === 2) {
        // Overlap: the second came while the first still waited for its answer.
        state.overlapped = !waitedOut;
        release();
      }
      return reply().tool("read_file", { path: file }).after(Promise.race([both, timeout]));
    }
    return reply().text(`${file} is about ${file === "alpha.txt" ? "apples" : "bananas"}.`);
  };
  return { respond, state };
}

describe("the agent tool", () => {
  it("runs two subagents at once; only their answers reach the parent; their tokens are in the usage", async () => {
    const ws = tempWorkspace({ "alpha.txt": "SECRET-ALPHA-CONTENT\n", "beta.txt": "SECRET-BETA-CONTENT\n" });
    const { respond, state } = twoReaders();
    const fake = await fakeOpenAI([], { respond });
    const result = await runCli(["-p", "--output-format", "json", "summarise alpha and beta"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.result).toBe("Both subagents reported.");
    expect(state.overlapped).toBe(true);

    // 2 parent requests + 2 per subagent, 100 in / 20 out each (the fake's usage).
    expect(fake.requests).toHaveLength(6);
    expect(json.usage).toEqual({ input_tokens: 600, output_tokens: 120 });
    // The ledger: each subagent's own requests beside the last request (not in its total); their answers are agent outputs in it.
    expect(json.usage_by_source.subagents).toEqual({ "read alpha": 240, "read beta": 240 });
    expect(Object.keys(json.usage_by_source.tool_outputs)).toEqual(["agent"]);
    expect(json.turns).toBe(2);

    const last = fake.requests.filter(isParent).at(-1);
    assertValidHistory(last.messages);
    expect(toolAnswers(last).map((m: any) => [m.tool_call_id, m.content])).toEqual([
      ["call_alpha", "alpha.txt is about apples."],
      ["call_beta", "beta.txt is about bananas."],
    ]);
    // The subagents read the files; the parent never saw their contents.
    const subagentRequests = fake.requests.filter((body) => !isParent(body));
    expect(JSON.stringify(subagentRequests)).toContain("SECRET-ALPHA-CONTENT");
    expect(parentText(fake.requests)).not.toContain("SECRET-ALPHA");
    expect(parentText(fake.requests)).not.toContain("SECRET-BETA");
    // Its own short system prompt, the parent's request as its one user message.
    for (const body of subagentRequests) {
      expect(body.messages[0].content).toMatch(/^You are a subagent of mini-claude/);
      expect(body.messages[0].content.length).toBeLessThan(600);
      expect(body.messages[1].content).toMatch(/^What does (alpha|beta)\.txt say\?$/);
    }
    // A subagent is offered read-only tools and never `agent`; the parent is offered `agent`.
    for (const body of subagentRequests) expect(body.tools.map((t: any) => t.function.name)).toEqual(["read_file", "list_files", "grep"]);
    expect(fake.requests[0].tools.map((t: any) => t.function.name)).toContain("agent");
  });

  it("runs at most four subagents at once; a fifth waits for a free slot", async () => {
    const ws = tempWorkspace({});
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const fake = await fakeOpenAI([], {
      respond: (body) => {
        if (isParent(body)) {
          if (toolAnswers(body).length) return reply().text("All five answered.");
          const builder = reply();
          for (const n of [1, 2, 3, 4, 5]) builder.tool("agent", { description: `task ${n}`, prompt: `task ${n}` }, `call_${n}`);
          return builder;
        }
        started.push(body.messages[1].content);
        most = Math.max(most, ++running);
        // Each holds its slot 300 ms; the count drops before the answer is sent, so a waiting one cannot start early.
        return reply().text(`done ${body.messages[1].content}`).after(new Promise((resolve) => setTimeout(() => resolve(running--), 300)));
      },
    });
    const result = await runCli(["-p", "five tasks"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("All five answered.");
    expect(most).toBe(4);
    expect(started).toHaveLength(5);
    expect(toolAnswers(fake.requests.at(-1)).map((m: any) => m.content)).toEqual([1, 2, 3, 4, 5].map((n) => `done task ${n}`));
  });

  it("uses a custom agent from .claude/agents with its system prompt and its tools", async () => {
    const ws = tempWorkspace({
      ".claude/agents/finder.md": "---\nname: finder\ndescription: Finds TODO comments\ntools: Grep, Glob\nmodel: inherit\n---\nYou are FINDER. Report every TODO with its line.\n",
      "src/a.ts": "// TODO: fix me\n",
    });
    const fake = await fakeOpenAI([
      reply().tool("agent", { description: "find todos", prompt: "List the TODOs.", subagent_type: "finder" }, "call_find"),
      reply().tool("grep", { pattern: "TODO" }),
      reply().text("src/a.ts:1 TODO: fix me"),
      reply().text("There is one TODO."),
    ]);
    const result = await runCli(["-p", "find todos"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("There is one TODO.");
    // The parent is told the agent exists; the subagent runs on its prompt with its two tools.
    const agentSpec = fake.requests[0].tools.find((t: any) => t.function.name === "agent");
    expect(agentSpec.function.description).toContain("finder (Finds TODO comments)");
    const sub = fake.requests[1];
    expect(sub.messages[0].content).toMatch(/^You are FINDER\. Report every TODO with its line\.\n\nWorkspace: /);
    expect(sub.messages[1]).toEqual({ role: "user", content: "List the TODOs." });
    expect(sub.tools.map((t: any) => t.function.name)).toEqual(["list_files", "grep"]);
    expect(sub.model).toBe("fake-model");
    expect(JSON.stringify(fake.requests[2].messages)).toContain("src/a.ts:1:// TODO: fix me");
    expect(toolAnswers(fake.requests[3])).toEqual([{ role: "tool", tool_call_id: "call_find", content: "src/a.ts:1 TODO: fix me" }]);
    // The person sees one block: the call, and its calls folded to a count.
    expect(result.stderr).toMatch(/• agent \(finder\) find todos\n\s+└ 1 tool call · \d+ tokens · [\d.]+s/);
  });

  it("does not run a project's agent that may run commands until it is trusted", async () => {
    const files = { ".mini-claude/agents/runner.md": "---\nname: runner\ndescription: Runs the tests\ntools: Bash, Read\nmodel: other-model\n---\nRun the tests.\n" };
    const ws = tempWorkspace(files);
    const fake = await fakeOpenAI([
      reply().tool("agent", { description: "run tests", prompt: "Run npm test.", subagent_type: "runner" }, "call_run"),
      reply().text("It was refused."),
    ]);
    const refused = await runCli(["-p", "run the tests"], cliOptions(ws, fake));
    expect(refused.code).toBe(0);
    expect(refused.stderr).toContain("mini-claude: this project's agents that run commands or write files (.mini-claude/agents/runner.md) are not offered: trust them in the REPL, or pass --trust-project-hooks.");
    expect(fake.requests[0].tools.find((t: any) => t.function.name === "agent").function.description).not.toContain("runner");
    expect(toolAnswers(fake.requests[1])[0].content).toMatch(/^Error: the project's agent "runner" may run commands or write files and the user has not trusted it/);

    const trusted = await fakeOpenAI([
      reply().tool("agent", { description: "run tests", prompt: "Run the tests.", subagent_type: "runner" }, "call_run"),
      reply().text("Tests pass."),
      reply().text("Done."),
    ]);
    expect((await runCli(["-p", "--trust-project-hooks", "run the tests"], cliOptions(ws, trusted))).code).toBe(0);
    expect(trusted.requests[1].messages[0].content).toMatch(/^Run the tests\./);
    expect(trusted.requests[1].tools.map((t: any) => t.function.name)).toEqual(["read_file", "exec"]);
    // Its `model` is used for its own requests; the parent's stay on the configured one.
    expect(trusted.requests.map((body: any) => body.model)).toEqual(["fake-model", "other-model", "fake-model"]);
  });

  it("plan mode offers agent, but a subagent gets no write tool and never exit_plan_mode", async () => {
    const ws = tempWorkspace({ ".claude/agents/fixer.md": "---\nname: fixer\ndescription: Fixes things\ntools: Read, Write, Edit, Bash\n---\nFix it.\n" });
    const fake = await fakeOpenAI([
      reply().tool("agent", { description: "look at it", prompt: "What needs fixing?", subagent_type: "fixer" }, "call_fix"),
      reply().text("Nothing needs fixing."),
      reply().tool("exit_plan_mode", { plan: "1. Nothing to do." }),
    ]);
    const result = await runCli(["--permission-mode", "plan", "--trust-project-hooks", "-p", "plan a fix"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("1. Nothing to do.\n");
    expect(fake.requests[0].tools.map((t: any) => t.function.name)).toEqual(["read_file", "list_files", "grep", "exec", "web_fetch", "agent", "exit_plan_mode"]);
    expect(fake.requests[1].messages[0].content).toMatch(/^Fix it\./);
    expect(fake.requests[1].tools.map((t: any) => t.function.name)).toEqual(["read_file", "exec"]);
    expect(toolAnswers(fake.requests[2])).toEqual([{ role: "tool", tool_call_id: "call_fix", content: "Nothing needs fixing." }]);
  });

  it("REPL: one question trusts a project's hooks and its acting agents together, remembered for --print", async () => {
    const ws = tempWorkspace({
      ".claude/agents/runner.md": "---\nname: runner\ndescription: Runs the tests\ntools: Bash\n---\nRun them.\n",
      ".claude/agents/broken.md": "---\nname: broken\n---\nNo description.\n",
      ".claude/settings.json": JSON.stringify({ hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: "echo ran >> hook.log" }] }] } }),
    });
    const fake = await fakeOpenAI([reply().text("Noted.")]);
    const pty = startPty([], cliOptions(ws, fake));
    await pty.waitFor("Trust and run these hooks?");
    // Both in one question: the hook's command and the agent's tools and file.
    expect(pty.screen()).toContain("UserPromptSubmit: echo ran >> hook.log");
    expect(pty.screen()).toContain("runner: tools exec (.claude/agents/runner.md)");
    expect(pty.screen()).toContain("agent .claude/agents/broken.md: needs a name");
    pty.type("y\r");
    await pty.waitFor("Hooks and agents trusted");
    await pty.waitFor("mini-claude> ");
    pty.type("hello\r");
    await pty.waitFor("Noted.");
    await pty.quit();
    expect(pty.screen().match(/Trust and/g)).toHaveLength(1);
    const agentDescription = (body: any) => body.tools.find((t: any) => t.function.name === "agent").function.description;
    expect(agentDescription(fake.requests[0])).toContain("runner (Runs the tests)");
    expect(agentDescription(fake.requests[0])).not.toContain("broken");
    // Remembered outside the workspace: --print runs the hook and offers the agent, unasked.
    const later = await fakeOpenAI([reply().text("Hi.")]);
    expect((await runCli(["-p", "hi"], cliOptions(ws, later))).code).toBe(0);
    expect(agentDescription(later.requests[0])).toContain("runner (Runs the tests)");
    expect(ws.read("hook.log")).toBe("ran\nran\n");
  });

  it("REPL: each subagent is one folded block, /expand lists its calls, and Esc stops them all", async () => {
    const ws = tempWorkspace({ "alpha.txt": "apples\n", "beta.txt": "bananas\n" });
    const { respond } = twoReaders();
    const fake = await fakeOpenAI([], {
      respond: (body) => {
        const lastUser = String(body.messages.filter((m: any) => m.role === "user").at(-1).content);
        if (isParent(body) && lastUser.endsWith("now two slow ones") && body.messages.at(-1).role === "user") {
          return reply().tool("agent", { description: "slow one", prompt: "x" }, "call_x").tool("agent", { description: "slow two", prompt: "y" }, "call_y");
        }
        if (isParent(body) && lastUser.endsWith("what happened?")) return reply().text("Stopped, as you asked.");
        if (!isParent(body) && ["x", "y"].includes(body.messages[1].content)) return reply().hang(1);
        return respond(body);
      },
    });
    const pty = await startRepl([], cliOptions(ws, fake));
    pty.type("summarise alpha and beta\r");
    await pty.waitFor("Both subagents reported.");
    const screen = await pty.rendered();
    expect(screen).toMatch(/• agent read alpha\n\s+└ 1 tool call · \d+ tokens · [\d.]+s\n\s+alpha\.txt is about apples\./);
    expect(screen).toMatch(/• agent read beta\n\s+└ 1 tool call · /);
    // Folded: the subagents' own read_file lines are not on screen.
    expect(screen).not.toContain("read_file alpha.txt");
    // Their tokens are the conversation's: 2 parent requests + 2 per subagent, 100 in / 20 out each.
    let mark = pty.screen().length;
    pty.type("/usage\r");
    await pty.waitFor("of which 2 subagents: 400 in, 80 out.", { from: mark });
    expect(pty.screen().slice(mark)).toContain("Tokens: 600 in, 120 out.");
    mark = pty.screen().length;
    pty.type("/context\r");
    await pty.waitFor("Subagents, in requests of their own (not in the total):", { from: mark });
    await pty.waitFor(/read beta +240/, { from: mark });
    expect(pty.screen().slice(mark)).toMatch(/read alpha +240/);
    mark = pty.screen().length;
    pty.type("/expand\r");
    await pty.waitFor("Last tool output:", { from: mark });
    expect(pty.screen().slice(mark)).toMatch(/subagent: read alpha \(1 tool call\)\n\s+• read_file alpha\.txt/);

    mark = pty.screen().length;
    const before = fake.requests.length;
    pty.type("now two slow ones\r");
    // Both subagents' requests are in flight (the parent's request, then one each).
    await waitUntil(() => fake.requests.length >= before + 3);
    await pty.waitFor("slow one", { from: mark });
    pty.type("\x1b");
    await pty.waitFor(/Interrupted/, { from: mark });
    pty.type("what happened?\r");
    await pty.waitFor("Stopped, as you asked.", { from: mark });
    await pty.quit();

    const last = fake.requests.at(-1);
    assertValidHistory(last.messages);
    const answers = toolAnswers(last).filter((m: any) => ["call_x", "call_y"].includes(m.tool_call_id));
    expect(answers).toHaveLength(2);
    for (const answer of answers) expect(answer.content).toMatch(/interrupted/i);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
