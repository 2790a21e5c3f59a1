import { accessSync, constants, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { engineHelpers, missingSupport } from "../../src/processes/sandbox-host.js";

// The engine is bundled into dist/, so its helpers are named from the installed package; without
// apply-seccomp the engine would leave the host's Unix sockets open and only log a warning.
describe.runIf(process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64"))("the sandbox engine's helpers", () => {
  it("names an executable apply-seccomp and the JVM proxy agent from the installed engine", () => {
    const helpers = engineHelpers();
    expect(helpers.applySeccomp).toMatch(/@anthropic-ai\/sandbox-runtime\/vendor\/seccomp\/(x64|arm64)\/apply-seccomp$/);
    expect(() => accessSync(helpers.applySeccomp!, constants.X_OK)).not.toThrow();
    expect(statSync(helpers.javaAgentJar!).isFile()).toBe(true);
  });

  it("never reports the seccomp helper missing while it is installed", () => {
    expect(missingSupport() ?? "").not.toMatch(/seccomp/);
  });
});
