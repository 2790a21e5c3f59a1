import { extname } from "node:path";
import { readCapped } from "./read-capped.js";
import { shrinkImage } from "./image-shrink.js";

/**
 * An image file as the model receives it: one `image_url` content part (a base64 data URL) after
 * a short text label naming it. One owner for what counts as an image (png, jpeg, gif, webp, told
 * by their first bytes, not their names), its size cap and its label, so `@shot.png`, a pasted
 * path and read_file attach an image the same way. An image over the cap (or wider than providers
 * accept) is shrunk (image-shrink.ts), never sent half-read.
 */

/** 5 MB once base64-encoded: the strictest per-image limit of the common providers (Anthropic's). */
export const MAX_IMAGE_BYTES = 3_750_000;
/** The biggest file read to be shrunk (a 6K screenshot as PNG is about 30 MB). */
const MAX_SOURCE_BYTES = 50_000_000;
/** Providers refuse an image whose edge passes this (Anthropic's 8,000 px). */
const MAX_EDGE = 8000;

export type ImageType = "png" | "jpeg" | "gif" | "webp";

export interface ImageUrlPart {
  type: "image_url";
  image_url: { url: string };
}
export interface TextPart {
  type: "text";
  text: string;
}
/** A user message's content parts (the chat-completions shape). */
export type ContentPart = TextPart | ImageUrlPart;

/** Size in pixels, read from the file's header; undefined when the header does not say. */
export interface ImageSize {
  width: number;
  height: number;
}

/** The label's first words; image-parts.ts finds labels (and so names) by them. */
export const IMAGE_LABEL_PREFIX = "[image ";

/** An attached image: its label and its part, or why it was not attached. */
export type ImageAttachment = { shown: string; parts: [TextPart, ImageUrlPart]; bytes: number } | { problem: string };

const EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".gif", ".webp"]);

/** True when the name ends like an image (png, jpg/jpeg, gif, webp): worth reading its header. */
export function hasImageExtension(path: string): boolean {
  return EXTENSIONS.has(extname(path).toLowerCase());
}

/** The image type told by the first bytes, or undefined when they are not one of the four. */
export function imageTypeOf(bytes: Uint8Array): ImageType | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString("latin1", 0, 6))) return "gif";
  if (b.length >= 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") return "webp";
  return undefined;
}

/**
 * Read `absolute` as an image for the model, `shown` being its name for the label and notes.
 * Contract: never throws; undefined when the file is not an image (by its bytes) or unreadable.
 */
export async function readImage(absolute: string, shown: string): Promise<ImageAttachment | undefined> {
  const read = readCapped(absolute, MAX_SOURCE_BYTES);
  if (!read) return undefined;
  const type = imageTypeOf(read.bytes);
  if (!type) return undefined;
  const megabytes = (bytes: number) => `${bytes / 1_000_000} MB`;
  if (read.truncated) return { problem: `${shown} is an image over ${megabytes(MAX_SOURCE_BYTES)}; not sent (save a smaller copy).` };
  const size = imageSize(read.bytes, type);
  if (read.bytes.length <= MAX_IMAGE_BYTES && (!size || Math.max(size.width, size.height) <= MAX_EDGE)) {
    return { shown, bytes: read.bytes.length, parts: imageParts(read.bytes, type, shown) };
  }
  const shrunk = await shrinkImage(read.bytes, type, size, MAX_IMAGE_BYTES);
  if ("problem" in shrunk) {
    const why = read.bytes.length > MAX_IMAGE_BYTES ? `over ${megabytes(MAX_IMAGE_BYTES)}` : `over ${MAX_EDGE} pixels wide`;
    return { problem: `${shown} is an image ${why} and ${shrunk.problem}; not sent (save a smaller copy).` };
  }
  const from = size ? `, shrunk from ${size.width}×${size.height}` : ", shrunk";
  return { shown, bytes: shrunk.bytes.length, parts: imageParts(shrunk.bytes, shrunk.type, shown, from) };
}

/** The label and the image part for `bytes` of type `type`. */
export function imageParts(bytes: Buffer, type: ImageType, shown: string, shrunkFrom = ""): [TextPart, ImageUrlPart] {
  const size = imageSize(bytes, type);
  const label = `${IMAGE_LABEL_PREFIX}${shown}${size ? ` (${size.width}×${size.height}${shrunkFrom})` : ""}]`;
  return [
    { type: "text", text: label },
    { type: "image_url", image_url: { url: `data:image/${type};base64,${bytes.toString("base64")}` } },
  ];
}

/** Width and height from the header of a png, gif, webp or jpeg (its first frame header). */
export function imageSize(b: Buffer, type: ImageType): ImageSize | undefined {
  try {
    if (type === "png" && b.length >= 24) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
    if (type === "gif" && b.length >= 10) return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
    if (type === "webp") return webpSize(b);
    if (type === "jpeg") return jpegSize(b);
  } catch {
    // a header cut short: the size is unknown, the image may still be fine
  }
  return undefined;
}

function webpSize(b: Buffer): ImageSize | undefined {
  const chunk = b.toString("latin1", 12, 16);
  if (chunk === "VP8X") return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === "VP8L") {
    const bits = b.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === "VP8 ") return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  return undefined;
}

/** Walks the JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegSize(b: Buffer): ImageSize | undefined {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1];
    const length = b.readUInt16BE(at + 2);
    const startOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (startOfFrame) return { width: b.readUInt16BE(at + 7), height: b.readUInt16BE(at + 5) };
    at += 2 + length;
  }
  return undefined;
}
