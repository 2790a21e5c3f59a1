/**
 * Shrinking an image too big to send, with sharp (libvips, prebuilt for each platform, loaded only
 * when an image needs it — never on a run without one). Why sharp: it is what the big agents ship
 * for the same job, decodes all four formats, and shrinks a 4K screenshot in tens of milliseconds;
 * the pure-JS decoders are larger to install or cover only png and jpeg, at about a second each.
 * It is an optional dependency: where it could not be installed, an over-cap image is refused with
 * a note that says why, as before.
 */

/** The long edge a shrunk image keeps: no provider looks at more (OpenAI's high detail is 2,048; Anthropic's 1,568). */
const SHRUNK_LONG_EDGE = 2000;

export type Shrunk = { bytes: Buffer; type: "png" | "jpeg"; size: { width: number; height: number } } | { problem: string };

type Sharp = typeof import("sharp");
let loaded: Promise<Sharp | undefined> | undefined;

function loadSharp(): Promise<Sharp | undefined> {
  loaded ??= import("sharp").then(
    (module) => ((module as { default?: Sharp }).default ?? module) as Sharp,
    () => undefined,
  );
  return loaded;
}

/**
 * `bytes` (a `type` image) at most `SHRUNK_LONG_EDGE` on its long edge and under `maxBytes`: a PNG
 * stays a PNG when that fits (screenshots of text stay sharp), else it becomes a JPEG, whose
 * quality steps down until it fits. An animation keeps its first frame. (No palette quantising:
 * it takes seconds on a large image.)
 * Contract: never throws; a problem says why nothing could be sent.
 */
export async function shrinkImage(bytes: Buffer, type: string, size: { width: number; height: number } | undefined, maxBytes: number): Promise<Shrunk> {
  const sharp = await loadSharp();
  if (!sharp) return { problem: "the image library (the optional package sharp) is not installed here" };
  try {
    const fit = { width: SHRUNK_LONG_EDGE, height: SHRUNK_LONG_EDGE, fit: "inside", withoutEnlargement: true } as const;
    // limitInputPixels guards against a decompression bomb (a small file that decodes to gigapixels).
    const resized = () => sharp(bytes, { limitInputPixels: 100_000_000 }).rotate().resize(fit);
    if (type === "png" && pngMayFit(bytes.length, size, maxBytes)) {
      const png = await resized().png().toBuffer({ resolveWithObject: true });
      if (png.data.length <= maxBytes) return { bytes: png.data, type: "png", size: { width: png.info.width, height: png.info.height } };
    }
    for (const quality of [85, 60]) {
      const jpeg = await resized().flatten({ background: "#ffffff" }).jpeg({ quality }).toBuffer({ resolveWithObject: true });
      if (jpeg.data.length <= maxBytes) return { bytes: jpeg.data, type: "jpeg", size: { width: jpeg.info.width, height: jpeg.info.height } };
    }
    return { problem: "it is still too big after shrinking" };
  } catch (error) {
    return { problem: `it could not be decoded (${error instanceof Error ? error.message : String(error)})` };
  }
}

/**
 * Whether a PNG shrunk to the long edge could fit, judged by its bytes per pixel now: a photo
 * saved as PNG will not, and encoding it to find out costs about a second.
 */
function pngMayFit(bytes: number, size: { width: number; height: number } | undefined, maxBytes: number): boolean {
  if (!size?.width || !size.height) return true;
  const scale = Math.min(1, SHRUNK_LONG_EDGE / Math.max(size.width, size.height));
  return bytes * scale * scale <= maxBytes;
}
