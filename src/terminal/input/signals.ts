import { EXIT } from "../../exit-codes.js";
import { keepJobsAtExit, killAll } from "../../processes/children.js";
import { unexpectedErrorLine } from "../errors.js";

/**
 * The one home of process-wide endings: what dies with mini-claude, and what each signal means.
 * The REPL and --print say what an interrupt does in their mode; only this file calls process.on.
 */

/**
 * Contract: however the process ends (return from main, process.exit, SIGHUP, an uncaught
 * error), every process tree in children.ts's registry is SIGKILLed (foreground commands, hooks,
 * stdio MCP servers, port relays and, unless `keepJobs`, background jobs). Commands run in their
 * own session, so no terminal signal reaches them otherwise.
 */
export function killChildrenOnExit(options: { keepJobs: boolean }): void {
  if (options.keepJobs) keepJobsAtExit();
  process.on("exit", () => void killAll({ now: true }));
  process.on("SIGHUP", () => process.exit(129));
  process.on("uncaughtException", (error) => {
    process.stderr.write(`mini-claude: ${unexpectedErrorLine(error)}\n`);
    process.exit(EXIT.failed);
  });
}

/**
 * What SIGINT (`kill -INT`, or Ctrl-C when stdin is not a terminal) and SIGTERM do in a mode.
 * Their default would end the process without a word and, for SIGINT, without killing jobs.
 */
export function onSignals(handlers: { interrupt: () => void; terminate: () => void }): void {
  process.on("SIGINT", () => ignored === 0 && handlers.interrupt());
  process.on("SIGTERM", handlers.terminate);
}

/** How many callers of ignoringInterrupts are still running. */
let ignored = 0;

/**
 * Runs `work` with SIGINT not meaning "interrupt" (a pager owns the terminal: Ctrl-C there signals
 * our process group as well, and is the pager's). The process stays alive either way.
 */
export async function ignoringInterrupts<T>(work: () => Promise<T>): Promise<T> {
  ignored++;
  try {
    return await work();
  } finally {
    ignored--;
  }
}

/** Runs `handler` once when the process is continued after a stop (Ctrl-Z, then `fg`). */
export function onContinue(handler: () => void): void {
  process.once("SIGCONT", handler);
}

/** Run `last` synchronously when the process exits, however it exits (e.g. JSON output's last line). */
export function onExitSync(last: () => void): void {
  process.on("exit", last);
}
