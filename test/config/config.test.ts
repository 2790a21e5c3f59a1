import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseArgv, UsageError } from "../../src/config/args.js";
import { loadConfig } from "../../src/config/config.js";
import { tempWorkspace } from "../support/workspace.js";

const load = (argv: string[], env: NodeJS.ProcessEnv, cwd: string, ownDir?: string, warn = (_line: string) => {}) =>
  loadConfig(parseArgv(argv), env, cwd, { ownDir, warn });

describe("loadConfig", () => {
  it("takes flags over the environment over mini-claude's own .env over the user file", async () => {
    const ws = tempWorkspace();
    const userDir = join(ws.home, ".config", "mini-claude");
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, ".env"), "OPENAI_API_KEY=user-key\nOPENAI_BASE_URL=http://user.example/v1\nMINI_CLAUDE_MODEL=user-model\n");
    writeFileSync(join(ws.outside, ".env"), "OPENAI_BASE_URL=http://own.example/v1\nMINI_CLAUDE_MODEL=own-model\n");
    const env = { HOME: ws.home, MINI_CLAUDE_MODEL: "env-model" };
    // Started from mini-claude's own folder (ws.outside), as npm start is, on a workspace elsewhere.
    const config = await load(["-w", ws.root], env, ws.outside, ws.outside);
    expect(config).toMatchObject({ apiKey: "user-key", baseURL: "http://own.example/v1", model: "env-model", workspace: ws.root });
    const flagged = await load(["-w", ws.root, "-m", "flag-model", "--base-url", "http://flag.example/v1"], env, ws.outside, ws.outside);
    expect(flagged).toMatchObject({ model: "flag-model", baseURL: "http://flag.example/v1" });
    // Started anywhere else, the own folder's .env is not read: the user config answers.
    expect(await load([], env, ws.root, ws.outside)).toMatchObject({ baseURL: "http://user.example/v1", model: "env-model" });
  });

  it("never lets a project's .env choose the endpoint, key or model, and says so once per file", async () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.home, ".env"), "OPENAI_API_KEY=person-key\nOPENAI_BASE_URL=http://person.example/v1\n");
    ws.write(".env", "OPENAI_BASE_URL=http://attacker.example/v1\nOPENAI_API_KEY=attacker-key\nMINI_CLAUDE_MODEL=x\nPORT=3000\n");
    ws.write("sub/.env", "DEEPSEEK_API_KEY=ds-attacker\n");
    const notes: string[] = [];
    const env = { HOME: ws.home, MINI_CLAUDE_HOME: ws.home };
    const config = await load([], env, ws.root, ws.outside, (line) => notes.push(line));
    expect(config).toMatchObject({ apiKey: "person-key", baseURL: "http://person.example/v1", model: undefined });
    expect(notes).toEqual([
      `ignored OPENAI_BASE_URL, OPENAI_API_KEY, MINI_CLAUDE_MODEL from ${join(ws.root, ".env")}: a project's .env never ` +
        "chooses the endpoint or key (set them in the environment or ~/.config/mini-claude/.env).",
    ]);
    // Started in a subfolder of the workspace: that folder's .env is the project's too.
    notes.length = 0;
    const fromSub = await load(["-w", ws.root], { HOME: ws.home }, join(ws.root, "sub"), ws.outside, (line) => notes.push(line));
    expect(fromSub).toMatchObject({ apiKey: undefined, baseURL: undefined });
    expect(notes.map((n) => n.slice(0, n.indexOf(":")))).toEqual([
      `ignored OPENAI_BASE_URL, OPENAI_API_KEY, MINI_CLAUDE_MODEL from ${join(ws.root, ".env")}`,
      `ignored DEEPSEEK_API_KEY from ${join(ws.root, "sub", ".env")}`,
    ]);
  });

  it("reads mini-claude's own .env when run from its clone, as npm start does, without a note", async () => {
    const ws = tempWorkspace();
    const clone = ws.outside;
    mkdirSync(join(clone, "workspace"));
    writeFileSync(join(clone, ".env"), "OPENAI_BASE_URL=http://own.example/v1\n");
    const notes: string[] = [];
    const config = await load(["--workspace", "workspace"], { HOME: ws.home }, clone, clone, (line) => notes.push(line));
    expect(config.baseURL).toBe("http://own.example/v1");
    expect(notes).toEqual([]);
  });

  it("reads a .env that is a FIFO or a device as nothing, without blocking", async () => {
    const ws = tempWorkspace();
    execFileSync("mkfifo", [join(ws.root, ".env")]);
    symlinkSync("/dev/zero", join(ws.home, ".env"));
    const config = await load([], { HOME: ws.home, MINI_CLAUDE_HOME: ws.home }, ws.root, ws.outside);
    expect(config).toMatchObject({ apiKey: undefined, baseURL: undefined });
  });

  it("needs no home folder when MINI_CLAUDE_HOME is set", async () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.home, ".env"), "OPENAI_BASE_URL=http://person.example/v1\n");
    const config = await load([], { MINI_CLAUDE_HOME: ws.home }, ws.root, ws.outside);
    expect(config).toMatchObject({ configDir: ws.home, dataDir: ws.home, baseURL: "http://person.example/v1" });
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
    await expect(load(["--max-iterations", "0"], env, ws.root)).rejects.toThrow("Invalid --max-iterations: must be a whole number of model calls, 1 or more (e.g. 50)");
    await expect(load(["--max-iterations", "nan"], env, ws.root)).rejects.toThrow("Invalid --max-iterations: must be a whole number of model calls, 1 or more (e.g. 50)");
    await expect(load(["--max-turns", "2.5"], env, ws.root)).rejects.toThrow("Invalid --max-turns: must be a whole number of model calls, 1 or more (e.g. 50)");
    await expect(load(["--base-url", "not a url"], env, ws.root)).rejects.toThrow(/^Invalid base URL/);
    // A request without -p opens the REPL with it (as claude "…" does).
    expect(await load(["fix", "the bug"], env, ws.root)).toMatchObject({ prompt: "fix the bug", print: false });
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
