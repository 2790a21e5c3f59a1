#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { HELP, parseArgv, UsageError } from "./args.js";
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
  // Node 20's fetch parses HTTP with a WebAssembly build of llhttp, and V8's optimising tier
  // compiles it in a burst that costs ~100 ms of CPU and ~30 MB of peak memory on every run.
  // The baseline (Liftoff) code is plenty for a few chat-completions streams.
  setFlagsFromString("--liftoff-only");
  const { main: run } = await import("./main.js");
  return run(args, version());
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

// `mini-claude --resume | head -1` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
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
