import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { legacyKeys } from "../../src/terminal/input/modified-keys.js";
import { heldKeys, TerminalKeys } from "../../src/terminal/input/keys.js";
import { Typeahead } from "../../src/terminal/input/typeahead.js";

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

  it("Shift+Enter in the CSI-u (kitty) and modifyOtherKeys (xterm) forms asks for a new line", async () => {
    const t = setup();
    await t.type("one\x1b[13;2u", "two\x1b[27;2;13~three\r");
    expect(t.newlines()).toBe(2);
    // The sequences never reach readline, where they would be typed as text or dropped.
    expect(t.forwarded()).toBe("one\rtwo\rthree\r");
    // An Enter reported with no modifier (M = 1) is Enter: it sends.
    const plain = setup();
    await plain.type("go\x1b[13;1u", "on\x1b[27;1;13~");
    expect(plain.newlines()).toBe(0);
    expect(plain.forwarded()).toBe("go\ron\r");
    t.keys.mode = "hold";
    await t.type("a\x1b[13;2ub\x1b[27;2;13~c\x1b[13;5u\r");
    expect(t.held).toEqual([
      { kind: "text", text: "a" },
      { kind: "newline" },
      { kind: "text", text: "b" },
      { kind: "newline" },
      { kind: "text", text: "c" },
      { kind: "newline" },
      { kind: "enter" },
    ]);
  });

  it("holds every key while a turn runs: nothing reaches readline", async () => {
    const t = setup();
    t.keys.mode = "hold";
    await t.type("hi\r", "\x1b[A", "\x1b");
    expect(t.forwarded()).toBe("");
    expect(t.held).toEqual([{ kind: "text", text: "hi" }, { kind: "enter" }, { kind: "interrupt", key: "esc" }]);
  });

  it("other modified keys, should a terminal report them in either form, become the bytes readline knows", async () => {
    expect(legacyKeys("\x1b[27;5;99~\x1b[99;5u")).toBe("\x03\x03");
    expect(legacyKeys("\x1b[27;3;98~\x1b[98;3u")).toBe("\x1bb\x1bb");
    expect(legacyKeys("\x1b[27;2;9~\x1b[127;3u\x1b[32;5u")).toBe("\x1b[Z\x1b\x7f\x00");
    // Enter is left for the new-line rule; arrows and function keys are not touched.
    expect(legacyKeys("\x1b[13;2u\x1b[27;2;13~\x1b[1;5A\x1b[3~")).toBe("\x1b[13;2u\x1b[27;2;13~\x1b[1;5A\x1b[3~");
    const t = setup();
    await t.type("ab\x1b[27;5;117~c\r");
    expect(t.forwarded()).toBe("ab\x15c\r");
    t.keys.mode = "hold";
    await t.type("x\x1b[99;5u");
    expect(t.held).toEqual([{ kind: "text", text: "x" }, { kind: "interrupt", key: "ctrl-c" }]);
  });

  it("the typeahead keeps each Enter-ed line as its own entry, keeps the draft, and drops all on interrupt", () => {
    const queue = new Typeahead();
    for (const key of heldKeys("/bg\ragain\rtwo\\\rlines\rand tes\x7ft")) queue.handle(key);
    expect(queue.footer()).toBe(["› queued (runs after this turn): /bg", "› queued: again", "› queued: [2 lines]", "› typing: and tet▏"].join("\n"));
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual(["/bg", "again", "two\nlines", undefined]);
    expect(queue.takeDraft()).toBe("and tet");
    for (const key of heldKeys("a\rb\rx")) queue.handle(key);
    expect(queue.drop()).toEqual({ entries: 2, characters: 1 });
    expect(queue.empty).toBe(true);
  });
});
