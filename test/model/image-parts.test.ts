import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageParts, MAX_IMAGE_BYTES, readImage } from "../../src/images.js";
import { tempWorkspace } from "../support/workspace.js";
import { imageTokens, isImageRefusal, withoutImagesIn } from "../../src/model/image-parts.js";
import { messageBytes, TokenEstimator } from "../../src/context/estimate.js";
import { personMessages, STUB_PREFIX, stubOldOutputs } from "../../src/context/compaction.js";
import { summaryRequest } from "../../src/context/summary-prompt.js";
import { assertValidHistory, withoutStaleReasoning, type Message } from "../../src/model/history.js";

/** A PNG header claiming width × height, followed by `padding` bytes of data (a big screenshot). */
function png(width: number, height: number, padding = 0): Buffer {
  const header = Buffer.alloc(24 + padding);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header);
  header.writeUInt32BE(13, 8);
  header.write("IHDR", 12, "latin1");
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  return header;
}

const imageMessage = (name: string, bytes: Buffer): Message => ({ role: "user", content: imageParts(bytes, "png", name) }) as Message;

describe("images in the history", () => {
  it("are counted by their pixels, not their base64 bytes", () => {
    const big = imageMessage("shot.png", png(1568, 980, 1_000_000));
    // 1568 × 980 / 750 ≈ 2,049 tokens, though the data URL is 1.3 MB.
    const url = (big.content as any)[1].image_url.url as string;
    expect(imageTokens(url)).toBe(2049);
    expect(messageBytes(big)).toBeLessThan(2049 * 3 + 200);
    expect(new TokenEstimator().estimate([big])).toBeLessThan(2200);
    // A 4K screenshot is scaled to a 1,568-pixel long edge first, as providers do.
    expect(imageTokens((imageParts(png(3840, 2160), "png", "4k.png")[1] as any).image_url.url)).toBe(Math.ceil((1568 * 882) / 750));
  });

  it("old tool images become stubs, are not the person's words, and summaries keep only their labels", () => {
    const estimator = new TokenEstimator();
    const messages: Message[] = [
      { role: "system", content: "system" },
      { role: "user", content: "look at the screenshot" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "read_file", arguments: '{"path":"shot.png"}' } }] },
      { role: "tool", tool_call_id: "c1", content: "shot.png is an image (70 bytes); it follows as an image in the next message." },
      imageMessage("shot.png", png(800, 600, 50_000)),
      { role: "assistant", content: "It shows a login form." },
      { role: "user", content: "now fix it" },
      { role: "assistant", content: "Fixing." },
    ];
    assertValidHistory(messages);
    expect(personMessages(messages.slice(1))).toEqual(["look at the screenshot", "now fix it"]);
    const summary = summaryRequest(messages.slice(1, 6), messages, 100_000, 200)[1].content as string;
    expect(summary).toContain("[image shot.png (800×600)]");
    expect(summary).not.toContain("base64");
    expect(stubOldOutputs(messages, { keepRecentTokens: 10, maxOutputTokens: 10_000, estimator })).toBe(1);
    expect(messages[4]).toEqual({ role: "user", content: `${STUB_PREFIX}image shot.png removed to save context. Read it again with read_file if you need it.]` });
    assertValidHistory(messages);
  });

  it("a tool's image message does not end the turn: the turn's reasoning is still sent", () => {
    const messages = [
      { role: "user", content: "what is on screen?" },
      { role: "assistant", content: null, reasoning_content: "read it first", tool_calls: [{ id: "c1", type: "function", function: { name: "read_file", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "c1", content: "an image" },
      imageMessage("shot.png", png(10, 10)),
    ] as Message[];
    expect(withoutStaleReasoning(messages)).toBe(messages);
  });

  it("without images: each image becomes a note naming it; other messages stay the same objects", () => {
    const request: Message = { role: "user", content: [...imageParts(png(2, 2), "png", "a.png"), { type: "text", text: "compare @a.png" }] } as Message;
    expect(withoutImagesIn(request)).toEqual({
      message: { role: "user", content: "[image a.png not sent: this model does not accept images]\ncompare @a.png" },
      names: ["a.png"],
    });
    const plain: Message = { role: "user", content: "hello" };
    expect(withoutImagesIn(plain).message).toBe(plain);
  });

  it("knows a server's refusal of images from its other 400s", () => {
    const status400 = (message: string) => Object.assign(new Error(message), { status: 400 });
    expect(isImageRefusal(status400("Invalid content type. image_url is only supported by certain models."))).toBe(true);
    expect(isImageRefusal(status400("model does not support vision"))).toBe(true);
    expect(isImageRefusal(status400("This model's maximum context length is 8192 tokens."))).toBe(false);
    expect(isImageRefusal(Object.assign(new Error("image"), { status: 500 }))).toBe(false);
  });

  it("an image is told by its bytes, and one over the cap that cannot be decoded is refused with a note, not sent", async () => {
    const ws = tempWorkspace();
    const file = (name: string, bytes: Buffer) => {
      writeFileSync(join(ws.root, name), bytes);
      return join(ws.root, name);
    };
    expect(await readImage(file("renamed.png", Buffer.from("just text\n")), "renamed.png")).toBeUndefined();
    const big = await readImage(file("huge.png", png(4000, 3000, MAX_IMAGE_BYTES)), "huge.png");
    expect(big && "problem" in big && big.problem).toMatch(/^huge\.png is an image over 3\.75 MB and (it could not be decoded \(.+\)|the image library \(the optional package sharp\) is not installed here); not sent \(save a smaller copy\)\.$/);
    const fine = await readImage(file("small.png", png(64, 32, 100)), "small.png");
    expect(fine && "parts" in fine && fine.parts[0]).toEqual({ type: "text", text: "[image small.png (64×32)]" });
  });
});
