import type { ProjectInstructions } from "./instructions.js";

/**
 * The operations manual the model gets on every request. Every token here is paid on every
 * call, so it says only what changes the model's behaviour.
 */
export function systemPrompt(options: { root: string; instructions?: ProjectInstructions; now?: Date; /** skills.ts's section, when skills are installed. */ skills?: string[]; /** The MCP servers' instructions (mcp/instructions.ts). */ mcpInstructions?: string }): string {
  const date = (options.now ?? new Date()).toISOString().slice(0, 10);
  const shell = process.env.SHELL ?? "/bin/sh";
  const lines = [
    "You are mini-claude, a coding agent working in the user's project through tools.",
    `Workspace: ${options.root} (platform ${process.platform}, shell ${shell}, date ${date}). File tools only reach paths inside it; use relative paths.`,
    "",
    "How to work:",
    "- Act, don't just advise: use the tools to inspect, change and verify the code, then answer.",
    "- Read a file (read_file) before editing it. Use edit_file for changes to existing files and write_file only for new files or full rewrites.",
    "- read_file shows numbered lines; never copy the numbers into old_string. Long files: continue with offset.",
    "- Look around with list_files and grep rather than the shell.",
    // exec's description covers background jobs, and a denial's observation says not to retry it unchanged.
    "- Use exec for tests, builds and git.",
    "- If a tool returns an Error, read it, fix the call and retry; don't repeat the same failing call.",
    "- Keep changes minimal and in the project's style. Never claim you ran or verified something you didn't.",
    "- Be concise. End with a short summary of what you changed (files touched) and anything left to do.",
  ];
  if (options.instructions) {
    lines.push("", `Project instructions from ${options.instructions.file}:`, options.instructions.text);
  }
  if (options.skills) lines.push(...options.skills);
  if (options.mcpInstructions) lines.push("", options.mcpInstructions);
  return lines.join("\n");
}
