import { IMAGE_LABEL_PREFIX, imageSize, imageTypeOf, type ContentPart } from "../images.js";
import type { ChatCompletionMessageParam as Message } from "openai/resources/chat/completions";

/**
 * Images in the history, as the model and the budget see them: what an image costs in tokens
 * (not its base64 bytes), which messages carry only images (read_file's, not the person's words),
 * and a model that refuses images: its 400 is recognised once, remembered for the session, and
 * every image from then on goes as a one-line note instead; the refused request is sent again
 * once without them, never in a loop.
 */

/** Providers scale an image's long edge to about this before counting it (Anthropic's 1,568; OpenAI's tiles come close). */
const LONG_EDGE = 1568;
/** Tokens per pixel after that scaling (Anthropic's width × height / 750), and the count when the size is unknown. */
const PIXELS_PER_TOKEN = 750;
const UNKNOWN_IMAGE_TOKENS = 1600;

/** The note that replaces an image a model does not take. */
function notSentNote(name: string): string {
  return `[image ${name} not sent: this model does not accept images]`;
}

/** Tokens an image part costs, from its size in pixels (its header); a cached guess when unknown. */
export function imageTokens(url: string): number {
  const comma = url.indexOf(",");
  // The header is at the start; 64 KB of base64 covers a JPEG's EXIF block before its size.
  const head = Buffer.from(url.slice(comma + 1, comma + 1 + 87_384), "base64");
  const type = imageTypeOf(head);
  const size = type ? imageSize(head, type) : undefined;
  if (!size || !size.width || !size.height) return UNKNOWN_IMAGE_TOKENS;
  const scale = Math.min(1, LONG_EDGE / Math.max(size.width, size.height));
  return Math.max(85, Math.ceil((size.width * scale * size.height * scale) / PIXELS_PER_TOKEN));
}

const partsOf = (message: Message): ContentPart[] => (Array.isArray(message.content) ? (message.content as ContentPart[]) : []);

/** The image parts of a message, in order (none for a string content). */
export function imagePartsOf(message: Message): { url: string }[] {
  return partsOf(message).flatMap((part) => (part?.type === "image_url" && typeof part.image_url?.url === "string" ? [{ url: part.image_url.url }] : []));
}

/** A user message made only of image labels and images: a tool's images (read_file), not the person's words. */
export function isImageOnly(message: Message): boolean {
  const parts = partsOf(message);
  return message.role === "user" && parts.length > 0 && parts.every((part) => part?.type === "image_url" || (part?.type === "text" && part.text.startsWith(IMAGE_LABEL_PREFIX)));
}

/**
 * The message with every image replaced by its note (the label before it names it); the same
 * object when it has none. Image-only messages keep their role: they sit after the tool answers.
 */
export function withoutImagesIn(message: Message): { message: Message; names: string[] } {
  const parts = partsOf(message);
  if (!parts.some((part) => part?.type === "image_url")) return { message, names: [] };
  const kept: ContentPart[] = [];
  const names: string[] = [];
  for (const part of parts) {
    if (part?.type !== "image_url") {
      kept.push(part);
      continue;
    }
    const label = kept.at(-1);
    const name = label?.type === "text" && label.text.startsWith(IMAGE_LABEL_PREFIX) ? label.text.slice(IMAGE_LABEL_PREFIX.length).replace(/(?: \(\d+×\d+\))?\]$/, "") : "(unnamed)";
    if (label?.type === "text" && label.text.startsWith(IMAGE_LABEL_PREFIX)) kept.pop();
    kept.push({ type: "text", text: notSentNote(name) });
    names.push(name);
  }
  const text = kept.map((part) => (part.type === "text" ? part.text : "")).join("\n");
  return { message: { ...message, content: text } as Message, names };
}

/** The 400 of a model that takes no images, as servers word it (OpenAI, vLLM, llama.cpp, Ollama, OpenRouter). */
export function isImageRefusal(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status;
  if (status !== 400 && status !== 422) return false;
  const message = String((error as Error)?.message ?? "");
  return /image|vision|multi-?modal|content[ _-]?type|image_url/i.test(message);
}

/**
 * Whether this session's model takes images. Contract: `send` sends at most twice: once as the
 * history is, and, only when the server refused images and the history has some, once more with
 * them replaced by notes (in place, each message replaced, never edited); after that every
 * request goes without images, saying so once per image.
 */
export class ImageSupport {
  refused = false;

  async send<T>(messages: Message[], send: () => Promise<T>, notify: (text: string) => void): Promise<T> {
    if (this.refused) this.dropImages(messages, notify);
    try {
      return await send();
    } catch (error) {
      if (this.refused || !isImageRefusal(error) || !messages.some((m) => imagePartsOf(m).length)) throw error;
      this.refused = true;
      this.dropImages(messages, notify);
      return send();
    }
  }

  /** Replaces, in place, each message that has images with its copy without them; tells the person which. */
  private dropImages(messages: Message[], notify: (text: string) => void): void {
    const names: string[] = [];
    messages.forEach((message, i) => {
      const replaced = withoutImagesIn(message);
      if (replaced.message === message) return;
      messages[i] = replaced.message;
      names.push(...replaced.names);
    });
    if (names.length) notify(`${names.join(", ")} not sent: this model does not accept images (it said so); they go as a note instead for the rest of the session.`);
  }
}
