import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { error, reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |node:internal/);

/** A port nothing listens on: bind one, then free it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("API failures reach the person as one clear line", () => {
  it("401: check the key, exit 1", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([error(401, "Incorrect API key provided")]);
    const result = await runCli(["-p", "hi"], cliOptions(ws, fake));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`The endpoint ${fake.url} rejected the API key (401). Check OPENAI_API_KEY (or DEEPSEEK_API_KEY).\n`);
  });

  it("a dead port: cannot reach, exit 1", async () => {
    const ws = tempWorkspace();
    const url = `http://127.0.0.1:${await deadPort()}/v1`;
    const result = await runCli(["-p", "hi"], { cwd: ws.root, home: ws.home, baseURL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`Cannot reach ${url}. Is the server running and OPENAI_BASE_URL right?\n`);
  });

  it("404 names the model and the endpoint", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([error(404, "The model `fake-model` does not exist")]);
    const result = await runCli(["-p", "hi"], cliOptions(ws, fake));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Model "fake-model" or the endpoint was not found at ${fake.url} (404)`);
  });

  it("429 and 500 are retried by the client (retry-after-ms honoured), then succeed", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      error(429, "slow down", { "retry-after-ms": "0" }),
      error(500, "oops", { "retry-after-ms": "0" }),
      reply().text("made it"),
    ]);
    const result = await runCli(["-p", "hi"], cliOptions(ws, fake));
    expect(result).toMatchObject({ code: 0, stdout: "made it\n" });
    expect(fake.requests).toHaveLength(3);
  });

  it("429 that persists: one line after the retries", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([0, 1, 2].map(() => error(429, "quota exceeded", { "retry-after-ms": "0" })));
    const result = await runCli(["-p", "hi"], cliOptions(ws, fake));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Rate limited by .* \(429\) after retries: .*quota exceeded.* Wait a moment and try again\.\n$/);
  });

  it("a stream cut half way: one line, exit 1, no stack", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("I was saying something important when").cutAfter(4)]);
    const result = await runCli(["-p", "hi"], cliOptions(ws, fake));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("The connection closed before the model finished its reply (the partial text is kept). Try again.\n");
    noStack(result.stderr);
  });
});
