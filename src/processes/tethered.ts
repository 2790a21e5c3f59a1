/**
 * A long-lived helper program (an MCP stdio server) started in a process group of its own and
 * tethered to mini-claude's life: the group ends when the program ends (its children with it) and
 * when mini-claude ends, however it ends, `kill -9` included.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";

/**
 * The wrapper that holds the tether, run by /bin/sh as the group's leader (`detached` gives it a
 * session and group of its own; the group id is its pid).
 *
 * Why a shell and a pipe: Linux's PR_SET_PDEATHSIG is not reachable from Node, and bubblewrap's
 * --die-with-parent only exists inside the sandbox, which servers do not run in. Instead fd 3 is
 * a pipe that only mini-claude holds open for writing and never writes to; the kernel closes it
 * when mini-claude's process ends for any reason, so a blocking read on it returns, and the
 * watcher kills the whole group. It costs one `sh` per server, no polling, and works the same with
 * the sandbox on or off. A server that ignores its stdin's end cannot outlive us this way.
 *
 * The server gets the wrapper's stdin explicitly: an `&` list of a non-interactive shell would
 * otherwise read /dev/null. When the server exits, the wrapper kills what it left in the group.
 */
const WRAPPER = [
  'command -v "$1" >/dev/null 2>&1 || { echo "command not found: $1" >&2; exit 127; }',
  "exec 4<&0",
  '"$@" <&4 4<&- 3<&- &',
  "server=$!",
  "exec 4<&- 0</dev/null",
  "{ read -r _ <&3; kill -9 0; } &",
  "exec 3<&-",
  'wait "$server"',
  "kill -9 0",
].join("\n");

/**
 * Start `command args` tethered (see WRAPPER). Its pid is also its process group's id, so
 * process-tree.ts's terminate(pid) and children.ts's killAll() take down the server and all its
 * children. stdin, stdout and stderr are pipes to the server itself.
 *
 * Contract: POSIX only (/bin/sh). Emits 'error' like spawn() when /bin/sh cannot start; a
 * `command` not on PATH exits at once with "command not found: …" on stderr.
 */
export function spawnTethered(command: string, args: string[], options: { env: Record<string, string>; cwd: string }): ChildProcess {
  const child = spawn("/bin/sh", ["-c", WRAPPER, "mcp-server", command, ...args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe", "pipe"],
  });
  // The tether only has to exist; it must not keep mini-claude's event loop alive.
  (child.stdio[3] as Socket | null)?.unref();
  return child;
}
