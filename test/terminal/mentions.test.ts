import { describe, expect, it } from "vitest";
import { attachMentions } from "../../src/terminal/input/mentions.js";
import { tempWorkspace } from "../support/workspace.js";

describe("@path mentions", () => {
  it("a mention of a path that does not exist gets a one-line note and attaches nothing", async () => {
    const ws = tempWorkspace({ "app.js": "console.log(1)\n" }).root;
    const mentions = await attachMentions("fix @nope.js and look at @app.js", ws);
    expect(mentions.problems).toEqual(["@nope.js: no such file in the workspace"]);
    expect(mentions.attached).toEqual(["app.js"]);
    expect(mentions.text).not.toContain('<file path="nope.js">');
  });

  it("a mention of a folder that exists is left as typed without a note", async () => {
    const ws = tempWorkspace({ "src/a.ts": "x\n" }).root;
    const mentions = await attachMentions("look in @src", ws);
    expect(mentions).toEqual({ text: "look in @src", attached: [], problems: [], images: [] });
  });
});
