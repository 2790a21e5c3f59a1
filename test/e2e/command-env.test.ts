import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** Credentials in mini-claude's own environment, as a developer's shell has them. */
const CREDENTIALS = { GITHUB_TOKEN: "secret123", AWS_SECRET_ACCESS_KEY: "awsSecretValue42" };
const tool = (request: any, id: string) => request.messages.find((m: any) => m.tool_call_id === id).content as string;

describe("credentials in mini-claude's environment", () => {
  it("`exec env` shows the model neither value, only which names were withheld", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "env" }, "call_env"), reply().text("Done.")]);
    const result = await runCli(["-p", "-y", "what is set?"], cliOptions(ws, fake, { env: CREDENTIALS }));
    expect(result.code).toBe(0);
    const observation = tool(fake.requests[1], "call_env");
    expect(observation).toContain("PATH=");
    expect(observation).not.toContain("secret123");
    expect(observation).not.toContain("awsSecretValue42");
    expect(observation).toContain(
      "[Not in this command's environment, as credentials: AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN. Only the user can pass one, with MINI_CLAUDE_PASS_ENV=NAME.]",
    );
    expect(JSON.stringify(fake.requests)).not.toMatch(/secret123|awsSecretValue42/);
  });

  it("MINI_CLAUDE_PASS_ENV=GITHUB_TOKEN lets that one through, and only that one", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "env" }, "call_env"), reply().text("Done.")]);
    await runCli(["-p", "-y", "what is set?"], cliOptions(ws, fake, { env: { ...CREDENTIALS, MINI_CLAUDE_PASS_ENV: "GITHUB_TOKEN" } }));
    const observation = tool(fake.requests[1], "call_env");
    expect(observation).toContain("GITHUB_TOKEN=secret123");
    expect(observation).not.toContain("awsSecretValue42");
    expect(observation).toContain("credentials: AWS_SECRET_ACCESS_KEY. Only the user");
  });

  it("a background job and a hook get none either", async () => {
    const ws = tempWorkspace({
      ".claude/settings.json": JSON.stringify({
        hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: 'env > "$CLAUDE_PROJECT_DIR/hook-env.txt"' }] }] },
      }),
    });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "env > job-env.txt; echo written; sleep 30", background: true }, "call_job"),
      reply().text("Started."),
    ]);
    const result = await runCli(["-p", "-y", "--trust-project-hooks", "start it"], cliOptions(ws, fake, { env: CREDENTIALS }));
    expect(result.code).toBe(0);
    expect(tool(fake.requests[1], "call_job")).toMatch(/^Started background job 1/);
    expect(await eventually(() => existsSync(join(ws.root, "job-env.txt")) && ws.read("job-env.txt").includes("PATH="), 5000)).toBe(true);
    for (const file of ["job-env.txt", "hook-env.txt"]) {
      const env = readFileSync(join(ws.root, file), "utf8");
      expect(env).toContain("PATH=");
      expect(env).not.toMatch(/secret123|awsSecretValue42|GITHUB_TOKEN|AWS_SECRET_ACCESS_KEY/);
    }
  });
});
