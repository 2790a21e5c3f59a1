import { describe, expect, it } from "vitest";
import { commandEnvironment, looksLikeCredential, parsePassList, withheldNote } from "../../src/processes/command-env.js";

describe("which variables a command does not inherit", () => {
  it("names that look like credentials, and no false alarm on everyday names", () => {
    const credentials = [
      "GITHUB_TOKEN", "GH_TOKEN", "NPM_TOKEN", "NODE_AUTH_TOKEN", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "STRIPE_SECRET",
      "DB_PASSWORD", "MYSQL_PASSWD", "SMTP_PASS", "GOOGLE_APPLICATION_CREDENTIALS", "AWS_PROFILE", "AWS_SECRET_ACCESS_KEY",
      "AZURE_CLIENT_ID", "SSH_AUTH_SOCK", "DBUS_SESSION_BUS_ADDRESS", "KUBECONFIG", "DOCKER_HOST", "github_token", "MINI_CLAUDE_API_KEY",
    ];
    const everyday = [
      "PATH", "HOME", "TERM", "LANG", "LC_ALL", "NODE_ENV", "SHELL", "USER", "KEYBOARD_LAYOUT", "MONKEY", "TOKENIZERS_PARALLELISM",
      "SSH_CONNECTION", "PASSAGE", "KEY", "XDG_RUNTIME_DIR", "CI", "EDITOR", "MINI_CLAUDE_MODEL", "npm_config_cache", "PASS_THROUGH",
    ];
    expect(credentials.filter((name) => !looksLikeCredential(name))).toEqual([]);
    expect(everyday.filter(looksLikeCredential)).toEqual([]);
  });

  it("withholds them unless the person names them; mini-claude's own keys never pass", () => {
    const base = { PATH: "/bin", HOME: "/home/u", GITHUB_TOKEN: "ghp_1", AWS_SECRET_ACCESS_KEY: "aws", OPENAI_API_KEY: "sk", EMPTY: undefined };
    expect(commandEnvironment(base, [])).toEqual({
      env: { PATH: "/bin", HOME: "/home/u" },
      withheld: ["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "OPENAI_API_KEY"],
    });
    expect(commandEnvironment(base, parsePassList("GITHUB_TOKEN, OPENAI_API_KEY"))).toEqual({
      env: { PATH: "/bin", HOME: "/home/u", GITHUB_TOKEN: "ghp_1" },
      withheld: ["AWS_SECRET_ACCESS_KEY", "OPENAI_API_KEY"],
    });
    expect(parsePassList(" A,B  C,,")).toEqual(["A", "B", "C"]);
  });

  it("the model hears the names (never the values) only when the command names one or lists the environment", () => {
    const base = { PATH: "/bin", GITHUB_TOKEN: "ghp_secret", AWS_PROFILE: "prod" };
    const line = (names: string) => `[Not in this command's environment, as credentials: ${names}. Only the user can pass one, with MINI_CLAUDE_PASS_ENV=NAME.]`;
    expect(withheldNote('curl -H "Authorization: token $GITHUB_TOKEN" https://api.github.com', base)).toBe(line("GITHUB_TOKEN"));
    expect(withheldNote("env | sort", base)).toBe(line("AWS_PROFILE, GITHUB_TOKEN"));
    expect(withheldNote("cd app && printenv", base)).toBe(line("AWS_PROFILE, GITHUB_TOKEN"));
    expect(withheldNote("npm test", base)).toBeUndefined();
    expect(withheldNote("echo $GITHUB_TOKENS $MY_GITHUB_TOKEN", base)).toBeUndefined();
    expect(withheldNote("env", { PATH: "/bin" })).toBeUndefined();
  });
});
