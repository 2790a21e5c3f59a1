import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { error, reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";
import { assertValidHistory } from "../../src/model/history.js";

const fakeOpenAI = useFakeOpenAI();
const sharp = await import("sharp").then((module) => module.default, () => undefined);

/** A real 1×1 PNG and a 2×1 GIF. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const GIF = Buffer.from("R0lGODlhAgABAIAAAP///wAAACwAAAAAAgABAAACAkQBADs=", "base64");
const pngURL = `data:image/png;base64,${PNG.toString("base64")}`;

const imagesIn = (request: any) => request.messages.flatMap((m: any) => (Array.isArray(m.content) ? m.content.filter((p: any) => p.type === "image_url").map((p: any) => p.image_url.url) : []));
const roles = (request: any) => request.messages.map((m: any) => m.role).join(",");

describe("images", () => {
  it("read_file of an image sends the image in a user message after every tool answer of the step", async () => {
    const ws = tempWorkspace({ "notes.txt": "milk\n" });
    writeFileSync(join(ws.root, "shot.png"), PNG);
    const fake = await fakeOpenAI([
      reply().tool("read_file", { path: "shot.png" }, "c_img").tool("read_file", { path: "notes.txt" }, "c_txt"),
      reply().text("A single pixel."),
    ]);
    const result = await runCli(["-p", "what is in shot.png?"], cliOptions(ws, fake));
    expect(result.stdout).toBe("A single pixel.\n");
    const second = fake.requests[1];
    expect(roles(second)).toBe("system,user,assistant,tool,tool,user");
    assertValidHistory(second.messages);
    const [, , , imageAnswer, textAnswer, images] = second.messages;
    expect(imageAnswer).toEqual({ role: "tool", tool_call_id: "c_img", content: "shot.png is an image (70 bytes); it follows as an image in the next message." });
    expect(textAnswer.content).toBe("1\tmilk");
    expect(images.content).toEqual([
      { type: "text", text: "[image shot.png (1×1)]" },
      { type: "image_url", image_url: { url: pngURL } },
    ]);
  });

  it("a model that refuses images is asked once more without them, then gets notes for the rest of the session", async () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.root, "shot.png"), PNG);
    writeFileSync(join(ws.root, "wide.gif"), GIF);
    const fake = await fakeOpenAI([
      reply().tool("read_file", { path: "shot.png" }, "c1"),
      error(400, "Invalid content type. image_url is only supported by certain models."),
      reply().tool("read_file", { path: "wide.gif" }, "c2"),
      reply().text("I cannot see images here."),
    ]);
    const result = await runCli(["-p", "look at the screenshots"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("I cannot see images here.\n");
    expect(fake.requests).toHaveLength(4);
    expect(imagesIn(fake.requests[1])).toEqual([pngURL]);
    // The retry and every request after it: the images as notes, the history still valid.
    for (const request of fake.requests.slice(2)) {
      expect(imagesIn(request)).toEqual([]);
      assertValidHistory(request.messages);
    }
    expect(fake.requests[2].messages.at(-1)).toEqual({ role: "user", content: "[image shot.png not sent: this model does not accept images]" });
    expect(fake.requests[3].messages.at(-1)).toEqual({ role: "user", content: "[image wide.gif not sent: this model does not accept images]" });
    expect(result.stderr).toContain("shot.png not sent: this model does not accept images");
  });

  it("@shot.png and a pasted image path (outside the workspace too) attach the images; a typed path does not", async () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.root, "shot.png"), PNG);
    const pasted = join(ws.outside, "my screenshot.gif");
    writeFileSync(pasted, GIF);
    writeFileSync(join(ws.outside, "other.gif"), GIF);
    const fake = await fakeOpenAI([reply().text("One pixel."), reply().text("Two pixels."), reply().text("No picture.")]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns: 100 });
    pty.type("what is in @shot.png?\r");
    await pty.waitFor("One pixel.");
    pty.type(`and in \x1b[200~${pasted.replace(/ /g, "\\ ")}\x1b[201~\r`);
    await pty.waitFor("Two pixels.");
    // Typed, not pasted: the path stays text.
    pty.type(`convert ${join(ws.outside, "other.gif")} to png\r`);
    await pty.waitFor("No picture.");
    await pty.quit();
    expect(fake.requests[2].messages.at(-1).content).toBe(`convert ${join(ws.outside, "other.gif")} to png`);
    const first = fake.requests[0].messages.at(-1);
    expect(first.content).toEqual([
      { type: "text", text: "[image shot.png (1×1)]" },
      { type: "image_url", image_url: { url: pngURL } },
      { type: "text", text: "what is in @shot.png?" },
    ]);
    const second = fake.requests[1].messages.at(-1);
    expect(second.content.slice(0, 2)).toEqual([
      { type: "text", text: "[image my screenshot.gif (2×1)]" },
      { type: "image_url", image_url: { url: `data:image/gif;base64,${GIF.toString("base64")}` } },
    ]);
    const screen = await pty.rendered();
    expect(screen).toContain("(attached shot.png)");
    expect(screen).toContain("(attached my screenshot.gif)");
  });

  it.skipIf(!sharp)(`a screenshot too big to send goes shrunk, through the built CLI${sharp ? "" : " (skipped: the optional package sharp is not installed)"}`, async () => {
    const ws = tempWorkspace();
    const big = await sharp!(randomBytes(2400 * 1600 * 3), { raw: { width: 2400, height: 1600, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    writeFileSync(join(ws.root, "big.png"), big);
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "big.png" }, "c1"), reply().text("Noise.")]);
    const result = await runCli(["-p", "what is in big.png?"], cliOptions(ws, fake));
    expect(result.stdout).toBe("Noise.\n");
    const [label, image] = fake.requests[1].messages.at(-1).content;
    expect(label).toEqual({ type: "text", text: "[image big.png (2000×1333, shrunk from 2400×1600)]" });
    expect(image.image_url.url.startsWith("data:image/jpeg;base64,")).toBe(true);
    expect(Buffer.from(image.image_url.url.split(",")[1], "base64").length).toBeLessThanOrEqual(3_750_000);
  });
});
