/**
 * Text from outside (the model, a file's name or content, a command's output, an endpoint's error)
 * must not drive the terminal: no clipboard writes (OSC 52), no window titles (OSC 0/2), no hidden
 * hyperlinks (OSC 8), no cursor movement that erases or overwrites what the person was shown.
 * The one sanitiser; the terminal applies it where text meets the screen, job logs use it too.
 * Two shapes: prose loses its controls (stripControls); a label, a command, a path or a diff line
 * shows them (showControls), because there the person must see exactly what is there.
 */

// ESC-introduced sequences: CSI; OSC, DCS, SOS, PM and APC strings up to BEL or ST (or the end of
// the text when unterminated); any other two-character escape. Then the 8-bit forms of those
// introducers, C0 controls other than tab and newline, DEL, and the C1 range.
// eslint-disable-next-line no-control-regex
const SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]?|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|[\x9d\x90\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x9b[0-?]*[ -/]*[@-~]?|\x1b[\s\S]?/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** Contract: `text` without escape sequences or control characters, except newline and tab. */
export function stripControls(text: string): string {
  return text.replace(SEQUENCE, "").replace(CONTROL, "");
}

/**
 * Characters that change what text looks like without being seen: bidi embeddings, overrides and
 * isolates (which can reorder `rm -rf /` to read harmlessly), zero-width spaces and joiners, the
 * word joiner and invisible operators, the BOM, and the soft hyphen.
 */
// eslint-disable-next-line no-misleading-character-class
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

// eslint-disable-next-line no-control-regex, no-misleading-character-class
const NEEDS_SHOWING = /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\x1b" };

/**
 * Contract: `text` with every control character (C0, DEL, C1, ESC) and every invisible formatting
 * character written as a visible escape (`\n`, `\r`, `\t`, `\x1b`, `\x07`, `\u{202e}`), so nothing
 * in it acts on the terminal and nothing is hidden. Characters in `keep` (say "\n\t" for a
 * multi-line table) pass through unchanged. Everything else, including wide and combining
 * characters, is left as it is.
 */
export function showControls(text: string, keep = ""): string {
  if (!NEEDS_SHOWING.test(text)) return text;
  let out = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    if ((!control && !INVISIBLE.test(char)) || keep.includes(char)) out += char;
    else if (NAMED[char]) out += NAMED[char];
    else if (control) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += `\\u{${code.toString(16)}}`;
  }
  return out;
}
