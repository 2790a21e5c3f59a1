import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadInputHistory, saveInputLine } from "../src/terminal/input/history.js";
import { Transcript } from "../src/session/transcript.js";

let base: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "mini-claude-modes-"));
  // Whatever the person's umask, these files are private; a permissive one makes the test bite.
  chmodSync(base, 0o755);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("files under the config and data folders", () => {
  it("a transcript is 0600 in 0700 folders, and an old 0644 one becomes 0600 when resumed", () => {
    const dataDir = join(base, "share", "mini-claude");
    const log = Transcript.create(dataDir, "/w", { model: "m" });
    log.append({ role: "user", content: "read my secrets" });
    expect([mode(join(base, "share")), mode(dataDir), mode(join(dataDir, "sessions")), mode(log.path)]).toEqual(["700", "700", "700", "600"]);

    chmodSync(log.path, 0o644);
    chmodSync(join(dataDir, "sessions"), 0o755);
    const { transcript: resumed } = Transcript.open(dataDir, log.id);
    expect(mode(resumed.path)).toBe("600");
    const next = Transcript.create(dataDir, "/w", { model: "m" });
    next.append({ role: "user", content: "again" });
    expect([mode(join(dataDir, "sessions")), mode(next.path)]).toEqual(["700", "600"]);
  });

  it("the input history is 0600 in a 0700 folder, also after it is compacted", () => {
    const configDir = join(base, "config", "mini-claude");
    saveInputLine(configDir, "export OPENAI_API_KEY=sk-typed-by-mistake");
    expect([mode(join(base, "config")), mode(configDir), mode(join(configDir, "input-history"))]).toEqual(["700", "700", "600"]);

    const file = join(configDir, "input-history");
    writeFileSync(file, Array.from({ length: 1200 }, (_, i) => `line ${i}`).join("\n") + "\n", { mode: 0o644 });
    chmodSync(file, 0o644);
    expect(loadInputHistory(configDir)[0]).toBe("line 1199");
    expect(mode(file)).toBe("600");
  });
});
