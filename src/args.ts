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
      --trust-project-hooks  with --print: run the hooks in this project's settings files
      --mcp-config FILE   add the MCP servers of FILE (.mcp.json format; may repeat)
      --trust-project-mcp with --print: start the workspace's .mcp.json servers without asking
      --rewind-last       with --print: undo the file changes of this workspace's last run, then exit
  -c, --continue          resume the latest session of this workspace
      --resume [ID]       resume a session (a list when no id is given)
  -v, --version           print the version
  -h, --help              print this help

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
  try {
    const { values, positionals } = parseArgs({
      args: withOptionalResumeValue(argv),
      allowPositionals: true,
      options: {
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
        "rewind-last": { type: "boolean" },
        continue: { type: "boolean", short: "c" },
        resume: { type: "string" },
        version: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
    });
    return { help: Boolean(values.help), version: Boolean(values.version), values, positionals };
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]} (see mini-claude --help)`);
  }
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

