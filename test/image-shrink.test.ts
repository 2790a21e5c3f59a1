import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_IMAGE_BYTES, readImage } from "../src/images.js";
import { tempWorkspace } from "./support/workspace.js";

const sharp = await import("sharp").then((module) => module.default, () => undefined);
const why = "sharp (an optional dependency) is not installed here";

/** What the model would see: the label and the decoded image's type and size. */
async function sent(path: string, shown: string) {
  const image = await readImage(path, shown);
  if (!image || "problem" in image) return image;
  const url = image.parts[1].image_url.url;
  const bytes = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  const meta = await sharp!(bytes).metadata();
  return { label: image.parts[0].text, mime: url.slice(5, url.indexOf(";")), bytes: bytes.length, width: meta.width, height: meta.height };
}

describe.skipIf(!sharp)(`an image too big to send is shrunk${sharp ? "" : ` (skipped: ${why})`}`, () => {
  it("a photo-like image over the size cap goes as a JPEG at most 2000 pixels wide, under the cap", async () => {
    const ws = tempWorkspace();
    // Noise does not compress: a 2600×2600 PNG of it is about 20 MB.
    const noise = await sharp!(randomBytes(2600 * 2600 * 3), { raw: { width: 2600, height: 2600, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    expect(noise.length).toBeGreaterThan(MAX_IMAGE_BYTES);
    writeFileSync(join(ws.root, "photo.png"), noise);
    const image = await sent(join(ws.root, "photo.png"), "photo.png");
    expect(image).toMatchObject({ label: "[image photo.png (2000×2000, shrunk from 2600×2600)]", mime: "image/jpeg", width: 2000, height: 2000 });
    expect((image as { bytes: number }).bytes).toBeLessThanOrEqual(MAX_IMAGE_BYTES);
  });

  it("a screenshot wider than providers accept stays a PNG, scaled to fit", async () => {
    const ws = tempWorkspace();
    const wide = await sharp!({ create: { width: 9000, height: 600, channels: 3, background: "#224466" } }).png().toBuffer();
    writeFileSync(join(ws.root, "wide.png"), wide);
    expect(await sent(join(ws.root, "wide.png"), "wide.png")).toMatchObject({ label: "[image wide.png (2000×133, shrunk from 9000×600)]", mime: "image/png", width: 2000, height: 133 });
  });

  it("an image within the limits is sent as it is", async () => {
    const ws = tempWorkspace();
    const small = await sharp!({ create: { width: 300, height: 200, channels: 3, background: "#ff0000" } }).jpeg().toBuffer();
    writeFileSync(join(ws.root, "small.jpg"), small);
    expect(await sent(join(ws.root, "small.jpg"), "small.jpg")).toMatchObject({ label: "[image small.jpg (300×200)]", mime: "image/jpeg", bytes: small.length });
  });
});
