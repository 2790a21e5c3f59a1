/**
 * Keys with modifiers, as terminals report them when asked. Plain Enter and Shift+Enter send the
 * same CR unless the application asks for more: xterm's modifyOtherKeys (`ESC [>4;1m`, level 1:
 * only keys that would otherwise be ambiguous; xterm, tmux with `extended-keys`, Ghostty, WezTerm)
 * then reports Shift+Enter as `ESC [27;2;13~` or, in tmux, the CSI-u form `ESC [13;2u`. Terminals
 * that do not know the request ignore it. Level 1 leaves Ctrl+letters, arrows, Tab and Backspace
 * as they were (checked in tmux 3.3); should a terminal still report another key in either form,
 * it is turned back into the bytes readline knows, so nothing that worked before stops working.
 */

/** Our keyboard modes on: bracketed paste and modifyOtherKeys level 1. */
export const KEY_MODES_ON = "\x1b[?2004h\x1b[>4;1m";
/** And off again, as the shell had them: no bracketed paste, modifyOtherKeys back to its default. */
export const KEY_MODES_OFF = "\x1b[?2004l\x1b[>4m";

/** `ESC [27;M;K~` (modifyOtherKeys) or `ESC [K;Mu` (CSI u): key code K, modifiers M. */
const MODIFIED_KEY = /\x1b\[27;(\d+);(\d+)~|\x1b\[(\d+);(\d+)u/g;
const ENTER = 13;

/**
 * Rewrites every modified key but a modified Enter (a new line, handled by the caller) into its legacy
 * bytes: Ctrl+c → ETX, Alt+b → ESC b, Shift+Tab → `ESC [Z`, Alt+Backspace → ESC DEL.
 */
export function legacyKeys(data: string): string {
  if (!data.includes("\x1b[")) return data;
  return data.replace(MODIFIED_KEY, (sequence, m1: string, k1: string, k2: string, m2: string) => {
    const code = Number(k1 ?? k2);
    const modifiers = Number(m1 ?? m2) - 1;
    if (!Number.isFinite(code) || code > 0x10ffff || modifiers < 0) return sequence;
    // A modified Enter is a new line (the caller's); an Enter reported with no modifier is Enter.
    if (code === ENTER) return modifiers === 0 ? "\r" : sequence;
    return legacyKey(code, { shift: (modifiers & 1) !== 0, alt: (modifiers & 2) !== 0, ctrl: (modifiers & 4) !== 0 });
  });
}

function legacyKey(code: number, mods: { shift: boolean; alt: boolean; ctrl: boolean }): string {
  if (code === 9 && mods.shift) return "\x1b[Z";
  let key = String.fromCodePoint(code);
  if (mods.shift && key.length === 1) key = key.toUpperCase();
  if (mods.ctrl && code === 32) key = "\x00";
  else if (mods.ctrl && /^[@-_a-z?]$/i.test(key)) key = key === "?" ? "\x7f" : String.fromCharCode(key.toUpperCase().charCodeAt(0) & 0x1f);
  return mods.alt ? `\x1b${key}` : key;
}
