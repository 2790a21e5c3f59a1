import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/**
 * Read a file that someone else wrote (a project's AGENTS.md or .env) without trusting what it is.
 *
 * Contract: returns at most `maxBytes` bytes and whether more were there, or undefined when `path`
 * is not a regular file (a FIFO, a device, a directory, a socket) or cannot be read. Never blocks
 * on a FIFO (O_NONBLOCK), never follows a symlink in the last component (O_NOFOLLOW: callers pass a
 * real path they have checked), and never reads past the cap, so /dev/zero or a 10 GB file costs
 * nothing. The type is checked on the open descriptor, so a file swapped after a stat cannot slip in.
 */
export function readCapped(path: string, maxBytes: number): { bytes: Buffer; truncated: boolean } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return { bytes: buffer.subarray(0, Math.min(length, maxBytes)), truncated: length > maxBytes };
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
