import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgv, UsageError } from "../src/args.js";
import { loadConfig } from "../src/config.js";
import { tempWorkspace } from "./support/workspace.js";

const load = (argv: string[], env: NodeJS.ProcessEnv, cwd: string) => loadConfig(parseArgv(argv), env, cwd);

describe("loadConfig", () => {
  it("takes flags over the environment over ./.env over the user file", async () => {
    const ws = tempWorkspace();
    const userDir = join(ws.home, ".config", "mini-claude");
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, ".env"), "OPENAI_API_KEY=user-key\nOPENAI_BASE_URL=http://user.example/v1\nMINI_CLAUDE_MODEL=user-model\n");
    writeFileSync(join(ws.root, ".env"), "OPENAI_BASE_URL=http://dotenv.example/v1\nMINI_CLAUDE_MODEL=dotenv-model\n");
    const env = { HOME: ws.home, MINI_CLAUDE_MODEL: "env-model" };
    const config = await load([], env, ws.root);
    expect(config).toMatchObject({ apiKey: "user-key", baseURL: "http://dotenv.example/v1", model: "env-model", workspace: ws.root });
    const flagged = await load(["-m", "flag-model", "--base-url", "http://flag.example/v1"], env, ws.root);
    expect(flagged).toMatchObject({ model: "flag-model", baseURL: "http://flag.example/v1" });
  });

  it("respects XDG_CONFIG_HOME and MINI_CLAUDE_HOME for the config and data folders", async () => {
    const ws = tempWorkspace();
    const xdg = await load([], { HOME: ws.home, XDG_CONFIG_HOME: "/xdg/config", XDG_DATA_HOME: "/xdg/data" }, ws.root);
    expect(xdg).toMatchObject({ configDir: "/xdg/config/mini-claude", dataDir: "/xdg/data/mini-claude" });
    const home = await load([], { HOME: ws.home, MINI_CLAUDE_HOME: "/mc", XDG_CONFIG_HOME: "/xdg" }, ws.root);
    expect(home).toMatchObject({ configDir: "/mc", dataDir: "/mc" });
  });

  it("DEEPSEEK_API_KEY alone means DeepSeek; an OpenAI key alone means OpenAI's default model", async () => {
    const ws = tempWorkspace();
    expect(await load([], { HOME: ws.home, DEEPSEEK_API_KEY: "ds" }, ws.root)).toMatchObject({
      apiKey: "ds",
      baseURL: "https://api.deepseek.com",
      model: "deepseek-chat",
    });
    expect(await load([], { HOME: ws.home, OPENAI_API_KEY: "sk" }, ws.root)).toMatchObject({ apiKey: "sk", baseURL: undefined, model: "gpt-4.1-mini" });
    expect(await load([], { HOME: ws.home }, ws.root)).toMatchObject({ apiKey: undefined, baseURL: undefined, model: undefined });
  });

  it("turns bad input into one UsageError line", async () => {
    const ws = tempWorkspace();
    const env = { HOME: ws.home };
    await expect(load(["--max-iterations", "zero"], env, ws.root)).rejects.toThrow(UsageError);
    await expect(load(["--max-iterations", "0"], env, ws.root)).rejects.toThrow("Invalid --max-iterations: must be at least 1");
    await expect(load(["--base-url", "not a url"], env, ws.root)).rejects.toThrow(/^Invalid base URL/);
    await expect(load(["stray words"], env, ws.root)).rejects.toThrow('To run one request, use: mini-claude -p "stray words"');
    expect(() => parseArgv(["--nope"])).toThrow(UsageError);
    expect(parseArgv(["--resume"]).values.resume).toBe("");
    expect(parseArgv(["--resume", "abc", "-p", "x"]).values.resume).toBe("abc");
  });

  it("the repeat guard: 3 by default, MINI_CLAUDE_REPEAT_LIMIT or --repeat-limit (flag wins), 0 or off turns it off", async () => {
    const ws = tempWorkspace();
    expect((await load([], { HOME: ws.home }, ws.root)).repeatLimit).toBe(3);
    expect((await load([], { HOME: ws.home, MINI_CLAUDE_REPEAT_LIMIT: "off" }, ws.root)).repeatLimit).toBe(0);
    expect((await load(["--repeat-limit", "5"], { HOME: ws.home, MINI_CLAUDE_REPEAT_LIMIT: "0" }, ws.root)).repeatLimit).toBe(5);
    await expect(load(["--repeat-limit", "two"], { HOME: ws.home }, ws.root)).rejects.toThrow(UsageError);
  });
});
