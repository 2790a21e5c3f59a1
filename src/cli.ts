#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { HELP, parseArgv, UsageError } from "./config/args.js";
import { EXIT } from "./exit-codes.js";

/**
 * Entry point. Only argv parsing is loaded up front, so --version and --help answer as fast as
 * bare node; everything else is imported once we know it is needed.
 */
async function main(argv: string[]): Promise<number> {
  const args = parseArgv(argv);
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (args.version) {
    process.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  // A subcommand that only reads files: it never loads the agent.
  if (args.positionals[0] === "doctor" && args.positionals.length === 1 && !args.values.print) {
    const { runDoctor } = await import("./doctor/doctor.js");
    return runDoctor(args.values.workspace as string | undefined);
  }
  const [command, verb, name] = args.positionals;
  if (command === "mcp" && (verb === "login" || verb === "logout") && name && args.positionals.length === 3 && !args.values.print) {
    const { runMcpAuthCommand } = await import("./terminal/commands/mcp-auth.js");
    return runMcpAuthCommand(args, verb, name);
  }
  // Node 20's fetch parses HTTP with a WebAssembly build of llhttp, and V8's optimising tier
  // compiles it in a burst that costs ~100 ms of CPU and ~30 MB of peak memory on every run.
  // The baseline (Liftoff) code is plenty for a few chat-completions streams.
  setFlagsFromString("--liftoff-only");
  // V8 sizes its heap for throughput: the young generation grows to 32 MB and the old one to up to
  // four times what survived the last full collection. A long session allocates steadily, so a
  // 1,000-call run peaked at 99 MB RSS with 15 MB live. Both flags are read at each collection:
  // the young generation keeps its 2 MB start and the old one grows by at most 2x, which holds
  // that run at ~80 MB with no measurable cost in time (bench/thousand-calls.ts, npm run bench).
  setFlagsFromString("--semi-space-growth-factor=1");
  setFlagsFromString("--heap-growing-percent=100");
  const { main: run } = await import("./main.js");
  return run(args, version());
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** How long the process may take to end by itself once main() has returned. */
const EXIT_GRACE_MS = 1500;

// `mini-claude --resume | head -1` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; a handle something left open (a library's server started by a
    // warm-up that a signal cut short) must not keep mini-claude alive: the exit handlers then kill
    // what is left. Unreferenced, so a clean exit never waits for it.
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  },
  async (error: unknown) => {
    // Error lines quote names from argv, files and transcripts: their controls are shown, never sent.
    const { showControls } = await import("./sanitize.js");
    if (error instanceof UsageError) {
      process.stderr.write(`mini-claude: ${showControls(error.message, "\n")}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    const { unexpectedErrorLine } = await import("./terminal/errors.js");
    process.stderr.write(`mini-claude: ${showControls(unexpectedErrorLine(error))}\n`);
    process.exitCode = EXIT.failed;
  },
);
