import { afterEach, describe, expect, it } from "vitest";
import { forgetKeysFromEnvironment, redactSecrets, setSecrets } from "../src/secrets.js";

afterEach(() => setSecrets([]));

describe("redactSecrets", () => {
  it("replaces every occurrence of each configured key, the longer first, and leaves short values alone", () => {
    setSecrets(["sk-abcdefgh", "sk-abcdefgh-longer", undefined, "x", "   short "]);
    expect(redactSecrets("a sk-abcdefgh-longer b sk-abcdefgh c sk-abcdefgh x short")).toBe(
      "a [redacted: API key] b [redacted: API key] c [redacted: API key] x short",
    );
    setSecrets([]);
    expect(redactSecrets("sk-abcdefgh")).toBe("sk-abcdefgh");
  });

  it("forgetKeysFromEnvironment removes only the keys", () => {
    const env: NodeJS.ProcessEnv = { OPENAI_API_KEY: "a", DEEPSEEK_API_KEY: "b", OPENAI_BASE_URL: "c", PATH: "/bin" };
    forgetKeysFromEnvironment(env);
    expect(env).toEqual({ OPENAI_BASE_URL: "c", PATH: "/bin" });
  });
});
