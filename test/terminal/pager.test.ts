import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pagerCommand, showPaged } from "../../src/terminal/render/pager.js";
import { tempWorkspace } from "../support/workspace.js";

/** A terminal 10 rows by 40 columns that records what is written to it. */
function screen(isTTY = true) {
  const written: string[] = [];
  const out = { isTTY, rows: 10, columns: 40, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  return { out, written };
}

const lend = <T>(run: () => T) => run();
const long = Array.from({ length: 30 }, (_, i) => `+line ${i}`).join("\n");

describe("showPaged", () => {
  it("pages text longer than the screen through $PAGER, with LESS=FRX when LESS is unset", async () => {
    const ws = tempWorkspace();
    const file = join(ws.root, "paged.txt");
    const { out, written } = screen();
    const outcome = await showPaged(long, out, lend, { PATH: process.env.PATH, PAGER: `cat > '${file}'; echo "$LESS" >> '${file}'` });
    expect(outcome).toBe("paged");
    expect(written).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe(`${long}\nFRX\n`);
  });

  it("counts wrapped rows: few lines, each wider than the screen, are still paged", async () => {
    const ws = tempWorkspace();
    const file = join(ws.root, "paged.txt");
    const wide = Array.from({ length: 4 }, () => "x".repeat(120)).join("\n");
    expect(await showPaged(wide, screen().out, lend, { PAGER: `cat > '${file}'`, LESS: "-R" })).toBe("paged");
    expect(existsSync(file)).toBe(true);
  });

  it("prints whole what fits, what goes to a pipe, and when PAGER is empty, cat or missing", async () => {
    for (const [text, tty, env] of [
      ["short\ntext", true, { PAGER: "false-should-not-run" }],
      [long, false, { PAGER: "false-should-not-run" }],
      [long, true, { PAGER: "" }],
      [long, true, { PAGER: "cat" }],
      [long, true, { PAGER: "no-such-pager-anywhere 2>/dev/null" }],
      [long, true, { PATH: "/nonexistent" }],
    ] as const) {
      const { out, written } = screen(tty);
      expect(await showPaged(text, out, lend, env)).toBe("printed");
      expect(written.join("")).toBe(`${text}\n`);
    }
  });

  it("a pager quit before reading everything counts as paged; nothing is printed after it", async () => {
    const huge = Array.from({ length: 50_000 }, (_, i) => `+line ${i}`).join("\n");
    const { out, written } = screen();
    expect(await showPaged(huge, out, lend, { PAGER: "head -c 10 >/dev/null" })).toBe("paged");
    expect(written).toEqual([]);
  });

  it("defaults to less -R when PAGER is unset and less is on the PATH", () => {
    expect(pagerCommand({ PATH: process.env.PATH })).toEqual({ file: "less", args: ["-R"] });
    expect(pagerCommand({ PATH: process.env.PATH, PAGER: "more -s" })).toEqual({ file: "/bin/sh", args: ["-c", "more -s"] });
  });
});
