import type { Config } from "./config.js";
import { EXIT } from "./exit-codes.js";
import { describeError } from "./llm.js";
import { Renderer } from "./render.js";
import { colorEnabled } from "./style.js";
import type { Session } from "./session.js";


/** How long a prompt argument waits for piped stdin to say something before going on without it. */
const STDIN_GRACE_MS = 200;

/**
 * --print: one request, the final answer on stdout and nothing else there (so it can be piped);
 * tool activity and errors on stderr. Resolves to the process exit code.
 */
export async function runPrint(session: Session, config: Config, prompt: string, signal: AbortSignal): Promise<number> {
  const renderer = new Renderer({
    out: process.stderr,
    activity: process.stderr,
    color: colorEnabled(process.stderr),
    streamText: false,
  });
  let answer = "";
  try {
    const stop = await session.send(prompt, signal, (event) => {
      if (event.type === "assistant_end") answer = event.text;
      renderer.handle(event);
    });
    await renderer.flush();
    if (answer) process.stdout.write(answer.endsWith("\n") ? answer : `${answer}\n`);
    if (stop === "aborted") return EXIT.interrupted;
    if (stop === "max_steps") {
      await renderer.error(`Stopped after ${config.maxIterations} model calls (--max-iterations); the task may be unfinished.`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (error) {
    if (signal.aborted) return EXIT.interrupted;
    const message = await describeError(error, { baseURL: config.baseURL, model: session.model });
    if (message) await renderer.error(message);
    return EXIT.failed;
  }
}

/**
 * The prompt for --print: the argument, then whatever is piped in as context. Without an
 * argument stdin is read to the end. With one, a pipe that stays open and silent (how many
 * harnesses spawn tools) is not waited for.
 */
export async function readPrintPrompt(argument: string | undefined, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) return argument ?? "";
  const piped = await readStdin(stdin, argument === undefined ? undefined : STDIN_GRACE_MS);
  if (argument === undefined) return piped.trim();
  return piped.trim() ? `${argument}\n\n${piped.trimEnd()}` : argument;
}

function readStdin(stdin: NodeJS.ReadStream, graceMs?: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      stdin.off("data", onData);
      stdin.off("end", done);
      stdin.off("error", done);
      stdin.pause();
      // A silent pipe would otherwise keep the process alive after the answer.
      if (stdin.readableEnded === false) stdin.destroy();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(timer);
    };
    if (graceMs !== undefined) timer = setTimeout(done, graceMs);
    stdin.on("data", onData);
    stdin.once("end", done);
    stdin.once("error", done);
  });
}
