/**
 * Text from outside (the model, a command's output) must not drive the terminal: drop escape
 * sequences and control characters other than newline and tab.
 */
export function stripControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.?|[\x00-\x08\x0b-\x1f\x7f]/g, "");
}
