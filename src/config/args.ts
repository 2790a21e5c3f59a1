import { parseArgs } from "node:util";

/**
 * Command-line flags and help. Kept free of heavy imports so that --help and --version answer
 * as fast as bare node.
 */

/** A mistake in flags or configuration: one line for the person, exit code 2. */
export class UsageError extends Error {}

export const HELP = `mini-claude: a small coding agent for any OpenAI-compatible endpoint

Usage:
  mini-claude                      open the REPL in the current folder
  mini-claude "prompt"             open the REPL and send that request first
  mini-claude -p "prompt"          run one request, print the answer to stdout
  echo "prompt" | mini-claude -p   the prompt can come from stdin too
  mini-claude doctor               what of this folder's Claude Code, Gemini CLI, pi and
                                   Codex configuration works here, partly, or not at all

Options:
  -p, --print             one-shot mode (prompt from the argument and/or stdin)
  -w, --workspace DIR     folder the agent may read and write (default: current folder)
  -m, --model NAME        model name (env MINI_CLAUDE_MODEL)
      --base-url URL      chat-completions endpoint (env OPENAI_BASE_URL)
      --max-iterations N  model calls per request before stopping (default 100)
      --repeat-limit N    stop the Nth identical tool call in a row (default 3, 0 = off)
      --context-window N  the model's window in tokens, e.g. 16k (env MINI_CLAUDE_CONTEXT_WINDOW;
                          default: asked from the server, else by model name, else 32k)
  -y, --yes               run shell commands without asking
      --sandbox MODE      off, auto (default: on where bwrap works) or on (refuse commands without it)
      --allow-domain H    let sandboxed commands reach host H (HOST or HOST:PORT, *.example.com; may repeat)
      --allow-net         let sandboxed commands reach every domain without asking
      --keep-background   with --print: leave background jobs running at exit
      --output-format F   with --print: text (default), json (one result object) or
                          stream-json (one JSON event per line); see the README
      --include-partial   with stream-json: also the model's text as it streams
      --json-dialect D    with json|stream-json: mini-claude (default, versioned v1) or claude
                          (Claude Code's message shapes, for scripts written for claude -p)
      --input-format F    stream-json: read user messages and control requests as JSON lines on
                          stdin, as the Claude Agent SDK drives its CLI (see the README)
      --trust-project-hooks  with --print: run the hooks in this project's settings files
      --mcp-config FILE   add the MCP servers of FILE (.mcp.json format; may repeat)
      --trust-project-mcp with --print: start the workspace's .mcp.json servers without asking
      --mcp-elicitation A with --print: how to answer an MCP server's form: decline (default) or
                          defaults (accept the form's defaults when every required field has one)
      --rewind-last       with --print: undo the file changes of this workspace's last run, then exit
  -c, --continue          resume the latest session of this workspace
      --resume [ID]       resume a session (a list when no id is given)
  -v, --version           print the version
  -h, --help              print this help

Claude Code's flags (--allowedTools, --disallowedTools, --tools, --permission-mode, --max-turns,
--system-prompt, --append-system-prompt, --verbose…) are accepted as well; see the README.

Configuration: OPENAI_API_KEY, OPENAI_BASE_URL, MINI_CLAUDE_MODEL, or DEEPSEEK_API_KEY alone,
from flags, the environment, the .env of mini-claude's own folder (when started there, as npm start
is), then ~/.config/mini-claude/.env, in that order. A project's .env never sets them.
MINI_CLAUDE_REPEAT_LIMIT, MINI_CLAUDE_CONTEXT_WINDOW, MINI_CLAUDE_STREAM_IDLE_MS and MINI_CLAUDE_REWIND_MB
(rewind's storage cap per workspace, default 500) come from the same places.`;

export interface ParsedArgs {
  help: boolean;
  version: boolean;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parse argv without loading anything heavy: --help and --version stop here. */
export function parseArgv(argv: string[]): ParsedArgs {
  const sdkMode = argv.some((arg, i) => arg === "--input-format=stream-json" || (arg === "--input-format" && argv[i + 1] === "stream-json"));
  try {
    const { values, positionals } = parseArgs({
      args: withOptionalResumeValue(argv),
      allowPositionals: true,
      options: OPTIONS,
      // The Claude Agent SDK passes flags of newer Claude Code versions too: they are named, never refused.
      strict: !sdkMode,
    });
    return { help: Boolean(values.help), version: Boolean(values.version), values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    // Node's own sentence runs on about quoting positionals; the person needs the flag and where the list is.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    if (unknown) throw new UsageError(`Unknown flag ${unknown}: mini-claude --help lists the flags (a prompt that starts with "-" goes after --).`);
    throw new UsageError(`${(error as Error).message.split("\n")[0]} (see mini-claude --help)`);
  }
}

/** Claude Code's flags (src/config/claude-flags.ts says which mean something here). */
const CLAUDE_OPTIONS = {
  "input-format": { type: "string" },
  "json-dialect": { type: "string" },
  verbose: { type: "boolean" },
  "max-turns": { type: "string" },
  "permission-mode": { type: "string" },
  "dangerously-skip-permissions": { type: "boolean" },
  allowedTools: { type: "string", multiple: true },
  "allowed-tools": { type: "string", multiple: true },
  disallowedTools: { type: "string", multiple: true },
  "disallowed-tools": { type: "string", multiple: true },
  tools: { type: "string" },
  "system-prompt": { type: "string" },
  "append-system-prompt": { type: "string" },
  "permission-prompt-tool": { type: "string" },
  "include-partial-messages": { type: "boolean" },
  "setting-sources": { type: "string" },
  "max-thinking-tokens": { type: "string" },
  thinking: { type: "string" },
  "thinking-display": { type: "string" },
  effort: { type: "string" },
  "fallback-model": { type: "string" },
  "max-budget-usd": { type: "string" },
  "task-budget": { type: "string" },
  agent: { type: "string" },
  betas: { type: "string" },
  "json-schema": { type: "string" },
  debug: { type: "boolean" },
  "debug-file": { type: "string" },
  "strict-mcp-config": { type: "boolean" },
  "allow-dangerously-skip-permissions": { type: "boolean" },
  "include-hook-events": { type: "boolean" },
  "session-mirror": { type: "boolean" },
  "project-config-root": { type: "string" },
  "add-dir": { type: "string", multiple: true },
  "plugin-dir": { type: "string", multiple: true },
  "plugin-dir-no-mcp": { type: "string", multiple: true },
  "fork-session": { type: "boolean" },
  "resume-session-at": { type: "string" },
  "resume-drops-turn": { type: "string" },
  "session-id": { type: "string" },
  "no-session-persistence": { type: "boolean" },
  "initialize-fields": { type: "string" },
  "managed-settings": { type: "string" },
  "managed-settings-in-initialize": { type: "boolean" },
  settings: { type: "string" },
  "permission-prompts": { type: "string" },
  channels: { type: "string", multiple: true },
  "await-initialize": { type: "boolean" },
} as const;

const OPTIONS = {
  print: { type: "boolean", short: "p" },
  workspace: { type: "string", short: "w" },
  model: { type: "string", short: "m" },
  "base-url": { type: "string" },
  "max-iterations": { type: "string" },
  "repeat-limit": { type: "string" },
  "context-window": { type: "string" },
  yes: { type: "boolean", short: "y" },
  sandbox: { type: "string" },
  "allow-net": { type: "boolean" },
  "allow-domain": { type: "string", multiple: true },
  "keep-background": { type: "boolean" },
  "output-format": { type: "string" },
  "include-partial": { type: "boolean" },
  "trust-project-hooks": { type: "boolean" },
  "mcp-config": { type: "string", multiple: true },
  "trust-project-mcp": { type: "boolean" },
  "mcp-elicitation": { type: "string" },
  "rewind-last": { type: "boolean" },
  continue: { type: "boolean", short: "c" },
  resume: { type: "string" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
  ...CLAUDE_OPTIONS,
} as const;

const DECLARED: ReadonlySet<string> = new Set(Object.keys(OPTIONS));

/** Every flag parseArgv declares, so a flag it does not know (SDK mode parses loosely) can be named. */
export function declaredFlags(): ReadonlySet<string> {
  return DECLARED;
}

/** `--resume` may stand alone; parseArgs needs a value, so give it an empty one. */
function withOptionalResumeValue(argv: string[]): string[] {
  const out: string[] = [];
  argv.forEach((arg, i) => {
    out.push(arg);
    const next = argv[i + 1];
    if (arg === "--resume" && (next === undefined || next.startsWith("-"))) out.push("");
  });
  return out;
}

