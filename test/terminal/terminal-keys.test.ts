import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { heldKeys, TerminalKeys } from "../../src/terminal/terminal-keys.js";
import { Typeahead } from "../../src/terminal/typeahead.js";

function setup() {
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  const pastes: string[] = [];
  const held: unknown[] = [];
  let newlines = 0;
  const keys = new TerminalKeys(stdin, {
    onPaste: (text) => {
      pastes.push(text);
      return "[P]";
    },
    onNewline: () => newlines++,
    onHeldKey: (key) => held.push(key),
  });
  let forwarded = "";
  keys.input.setEncoding("utf8").on("data", (d: string) => (forwarded += d));
  const type = async (...chunks: string[]) => {
    for (const chunk of chunks) {
      (stdin as unknown as PassThrough).write(chunk);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { keys, type, pastes, held, forwarded: () => forwarded, newlines: () => newlines };
}

describe("terminal keys", () => {
  it("reassembles a bracketed paste split across reads and never forwards its line breaks", async () => {
    const t = setup();
    await t.type("ab\x1b[20", "0~one\r\ntwo\x1b[2", "01~cd\r");
    expect(t.pastes).toEqual(["one\ntwo"]);
    expect(t.forwarded()).toBe("ab[P]cd\r");
  });

  it("Alt+Enter and Ctrl-J ask for a new line; a lone Esc clears the line", async () => {
    const t = setup();
    await t.type("one\x1b\r", "two\n", "\x1b");
    expect(t.newlines()).toBe(2);
    expect(t.forwarded()).toBe("one\rtwo\r\x05\x15");
  });

  it("holds every key while a turn runs: nothing reaches readline", async () => {
    const t = setup();
    t.keys.mode = "hold";
    await t.type("hi\r", "\x1b[A", "\x1b");
    expect(t.forwarded()).toBe("");
    expect(t.held).toEqual([{ kind: "text", text: "hi" }, { kind: "enter" }, { kind: "interrupt", key: "esc" }]);
  });

  it("the typeahead queues Enter-ed requests, keeps the draft, and drops all on interrupt", () => {
    const queue = new Typeahead();
    for (const key of heldKeys("fix it\rand tes\x7ft")) queue.handle(key);
    expect(queue.footer()).toBe("› queued, sent when this turn ends: fix it · typing: and tet▏");
    expect(queue.take()).toEqual({ request: "fix it", draft: "and tet", eof: false });
    queue.handle({ kind: "text", text: "x" });
    expect(queue.drop()).toBe(1);
    expect(queue.empty).toBe(true);
  });
});
