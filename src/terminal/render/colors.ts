import { createRequire } from "node:module";

/**
 * Whether to colour, and the palette. picocolors costs about 1 ms to load, so it is required on
 * first use rather than at start-up.
 */

export type Colors = ReturnType<(typeof import("picocolors"))["createColors"]>;

const require = createRequire(import.meta.url);
const palettes = new Map<boolean, Colors>();

/**
 * Contract: true when escape codes should be written to `stream`. FORCE_COLOR wins when set
 * ("0" or "false" turn colour off, any other value on), as in Node itself; otherwise colour needs
 * a TTY, NO_COLOR unset or empty, and TERM other than "dumb".
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (!stream.isTTY) return false;
  if (env.NO_COLOR) return false;
  return env.TERM !== "dumb";
}

/** Contract: picocolors formatters that colour when `enabled` and return text unchanged when not. */
export function palette(enabled: boolean): Colors {
  let colors = palettes.get(enabled);
  if (!colors) {
    colors = (require("picocolors") as typeof import("picocolors")).createColors(enabled);
    palettes.set(enabled, colors);
  }
  return colors;
}
