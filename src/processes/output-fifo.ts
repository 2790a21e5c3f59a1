/**
 * Reading a command's output without allocating per read: a FIFO read into one reused buffer, with
 * plain pipes as the fallback where no FIFO can be made.
 */
import { execFile, type ChildProcess } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { Socket, type OnReadOpts, type SocketConstructorOpts } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { promisify } from "node:util";

/** Size of the one buffer a command's output is read into. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * A FIFO for one command's output, open at both ends (read end non-blocking) and already unlinked.
 *
 * Why not a 'pipe' stdio: Node allocates a fresh Buffer for every read from a child's pipe, and V8
 * frees that external memory lazily, so a command printing 200 MB grew mini-claude by ~35 MB. A
 * FIFO behaves like a pipe for the command (also for `>/dev/stdout` or `tee /dev/stderr`, which a
 * regular file would truncate) and can be read into one buffer (readReusing). Node cannot create a
 * pipe pair or a FIFO itself, so `mkfifo` runs once per command (about 7 ms).
 *
 * Contract: resolves to undefined when no FIFO can be made (no mkfifo, unwritable tmpdir); the
 * caller then uses plain pipes. Never rejects, leaves nothing on disk.
 */
export async function outputFifo(): Promise<{ read: number; write: number } | undefined> {
  let dir: string | undefined;
  let read: number | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), "mini-claude-out-"));
    const path = join(dir, "output");
    await promisify(execFile)("mkfifo", ["-m", "600", path], { timeout: 5000 });
    // Opening the read end without O_NONBLOCK would wait for a writer; the write end then opens at once.
    read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    return { read, write: openSync(path, constants.O_WRONLY) };
  } catch {
    if (read !== undefined) closeSync(read);
    return undefined;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads `fd` (a pipe or FIFO) into one reused buffer; `onChunk` gets a view and must copy what it keeps. */
export function readReusing(fd: number, onChunk: (chunk: Buffer) => void): Socket {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  // The constructor has honoured `onread` since Node 12; @types/node 20 lists it only for connect().
  const options: SocketConstructorOpts & { onread: OnReadOpts } = {
    fd,
    readable: true,
    writable: false,
    onread: { buffer, callback: (size: number) => (onChunk(buffer.subarray(0, size)), true) },
  };
  const socket = new Socket(options);
  // Only reached if a runtime ignored `onread`: the data still arrives, in fresh buffers.
  socket.on("data", onChunk);
  socket.on("error", () => {});
  return socket;
}

/** The fallback when no FIFO could be made: the child's two pipes, read the usual way. */
export function pipeSources(child: ChildProcess, onChunk: (chunk: Buffer) => void): Readable[] {
  const streams = [child.stdout, child.stderr].filter((stream) => stream !== null);
  for (const stream of streams) {
    stream.on("data", onChunk);
    stream.on("error", () => {});
  }
  return streams;
}
