/**
 * Starting the person's shell the way an agent needs it: its own session and process group, no
 * terminal, stdin closed, an environment that never prompts, pages or colours, and without
 * mini-claude's keys. Foreground runs (run.ts) and background jobs (jobs.ts) both start here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { statSync } from "node:fs";
import { commandEnvironment } from "./command-env.js";
import { sandboxCommand, type SandboxedCommand } from "./sandbox-wrap.js";
import { isFile } from "../workspace.js";

const NON_INTERACTIVE: Record<string, string> = {
  CI: "1",
  TERM: "dumb",
  NO_COLOR: "1",
  PAGER: "cat",
  GIT_PAGER: "cat",
  GIT_TERMINAL_PROMPT: "0",
  GIT_EDITOR: "true",
  npm_config_yes: "true",
  DEBIAN_FRONTEND: "noninteractive",
  PIP_NO_INPUT: "1",
  PYTHONUNBUFFERED: "1",
};

/** A started shell, and (inside the sandbox) what to call once it has ended. */
export interface StartedShell {
  child: ChildProcess;
  sandbox?: SandboxedCommand;
}

/**
 * Start `command` with the user's shell in a new session (so its own process group, no terminal).
 *
 * Contract: stdin is closed. Output goes to `options.output` (a file descriptor used for both stdout
 * and stderr), or else to two pipes; stderr is redirected into stdout by the shell itself, so the
 * order is exactly what a terminal shows (a stderr pipe only carries the shell's own early errors).
 * When the sandbox is active (sandbox-wrap.ts) the engine's wrapper is the process started, so it leads
 * the group, and the caller calls `sandbox.finished()` once the command has ended; `unsandboxed`
 * runs it outside the sandbox (the person approved that). Rejects when the sandbox cannot wrap it;
 * may throw, or emit 'error' with no pid, when the shell cannot be started.
 */
export async function spawnShell(
  command: string,
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    output?: number;
    unsandboxed?: boolean;
    background?: boolean;
    onSweep?: (line: string) => void;
    /** Nothing writable but its temp folder, and no domain asked about (a template's `!`cmd``). */
    readOnly?: boolean;
  },
): Promise<StartedShell> {
  const output = options.output ?? "pipe";
  const shell = userShell();
  const script = `exec 2>&1\n${command}`;
  const sandbox = options.unsandboxed ? undefined : await sandboxCommand(script, { shell, label: command, background: options.background, onSweep: options.onSweep, readOnly: options.readOnly });
  const [file, ...args] = sandbox?.argv ?? [shell, "-c", script];
  try {
    const child = spawn(file!, args, {
      cwd: options.cwd,
      env: { ...commandEnv(options.env), ...sandbox?.env },
      detached: true,
      stdio: ["ignore", output, output],
    });
    return { child, ...(sandbox ? { sandbox } : {}) };
  } catch (error) {
    sandbox?.finished();
    throw error;
  }
}

/** The person's shell when it speaks POSIX sh (the model writes bash), otherwise bash or sh. */
export function userShell(): string {
  const preferred = process.env.SHELL;
  if (preferred && /\/(bash|zsh|sh|dash|ksh)$/.test(preferred) && isFile(preferred)) return preferred;
  return isFile("/bin/bash") ? "/bin/bash" : "/bin/sh";
}

/**
 * The environment for commands the agent runs.
 *
 * Contract: no variable that looks like a credential, unless the person passed it (command-env.ts;
 * never mini-claude's own keys); the variables that stop tools from prompting, paging or colouring
 * are set; `extra` wins last.
 */
export function commandEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = commandEnvironment(process.env).env;
  // Node warns when NO_COLOR and FORCE_COLOR are both set, and FORCE_COLOR would win.
  delete env.FORCE_COLOR;
  Object.assign(env, NON_INTERACTIVE);
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Why `path` cannot be a command's working directory, or undefined when it can. */
export function missingDirectory(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) return undefined;
    return `working directory ${path} is not a directory`;
  } catch {
    return `working directory ${path} does not exist`;
  }
}
