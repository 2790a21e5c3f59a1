import { spawnSync } from "node:child_process";
import { onPath } from "../../processes/on-path.js";
import { displayWidthNow, loadDisplayWidth } from "./display-width.js";
import { ignoringInterrupts } from "../input/signals.js";

/**
 * Long output through a pager, as git does it: `$PAGER` (run by the shell, so it may carry
 * options; empty or `cat` means none), else `less -R`; LESS=FRX unless LESS is set (quit at once
 * when it fits, keep the colours, leave the text on the screen after quitting). Output that fits
 * the screen, a stdout that is not a terminal, or a pager that cannot start: printed whole.
 *
 * The pager runs synchronously, so nothing of ours reads the terminal while it does; Ctrl-C in it
 * signals our process group too, and that interrupt is swallowed, never taken as "stop" or "exit".
 */

/** Who owns the terminal's modes (raw mode, bracketed paste) gives them up for the pager and takes them back. */
export type LendTerminal = <T>(run: () => T) => T;

/** An interrupt from the pager reaches us once the event loop runs again; wait that long for it. */
const SIGNAL_SETTLE_MS = 50;

/** Writes `text` (ending without a new line) to `out`, through a pager when it is longer than the screen. */
export async function showPaged(text: string, out: NodeJS.WriteStream, lend: LendTerminal, env: NodeJS.ProcessEnv = process.env): Promise<"paged" | "printed"> {
  const pager = pagerCommand(env);
  if (!pager || !out.isTTY || (await screenRows(text, out.columns || 80)) < (out.rows || 24)) {
    out.write(`${text}\n`);
    return "printed";
  }
  const result = await ignoringInterrupts(async () => {
    const ran = lend(() =>
      spawnSync(pager.file, pager.args, {
        input: `${text}\n`,
        stdio: ["pipe", "inherit", "inherit"],
        env: { ...env, LESS: env.LESS ?? "FRX", LV: env.LV ?? "-c" },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, SIGNAL_SETTLE_MS));
    return ran;
  });
  // EPIPE: the person quit before the pager read it all, or the pager never started and never
  // read (the exit status tells which). 127: the shell found no such command, and ENOENT no
  // `less`: the person still gets the text.
  const brokenPipe = (result.error as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
  const failed = result.status === 127 || (result.error !== undefined && !brokenPipe);
  if (failed) {
    out.write(`${text}\n`);
    return "printed";
  }
  return "paged";
}

/** The pager to run, or undefined for none. */
export function pagerCommand(env: NodeJS.ProcessEnv): { file: string; args: string[] } | undefined {
  const configured = env.PAGER;
  if (configured !== undefined) {
    const trimmed = configured.trim();
    return trimmed && trimmed !== "cat" ? { file: "/bin/sh", args: ["-c", trimmed] } : undefined;
  }
  return onPath("less", env.PATH ?? "") ? { file: "less", args: ["-R"] } : undefined;
}

/** Rows `text` takes on a screen `columns` wide, long lines wrapped. */
async function screenRows(text: string, columns: number): Promise<number> {
  await loadDisplayWidth();
  let rows = 0;
  // displayWidthNow counts escape sequences as nothing, as the diff's colours take no columns.
  for (const line of text.split("\n")) rows += Math.max(1, Math.ceil(displayWidthNow(line) / columns));
  return rows;
}

