import { closeSync, fstatSync, unlinkSync, writeSync } from "node:fs";
import { checkSameFile, openNewFileSync } from "../safe-write.js";
import { MAX_OUTPUT_BYTES } from "../truncate.js";
import { newSpillPath } from "./spill.js";

/** A command's saved output stops here: the model pages through it, and the disk is the person's. */
const MAX_SAVED_BYTES = 64 * 1024 * 1024;

/**
 * Saves a running command's whole output, so the middle that exec's observation cuts is never
 * lost. Small outputs (which the observation holds whole) stay in memory and never touch the disk;
 * once the output outgrows what the model is shown, it goes to a 0600 file in the spill folder.
 * A failing disk costs the copy, never the command.
 */
export class OutputTee {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private fd: number | undefined;
  private failed = false;
  /** The file holding the output, once it was needed; undefined again if writing it failed. */
  path: string | undefined;
  /** Bytes written to the file. */
  savedBytes = 0;
  /** Bytes printed but not saved, past the cap. */
  unsaved = 0;

  constructor(
    private readonly dir: string,
    private readonly label: string,
    /** Bytes held in memory before the file is needed: what the observation keeps whole. */
    private readonly threshold = MAX_OUTPUT_BYTES,
    private readonly maxSaved = MAX_SAVED_BYTES,
  ) {}

  /** Take one chunk of output (the caller may reuse the buffer afterwards). */
  push(chunk: Buffer): void {
    if (this.failed) return;
    if (this.fd === undefined) {
      this.pending.push(Buffer.from(chunk));
      this.pendingBytes += chunk.length;
      if (this.pendingBytes <= this.threshold) return;
      if (!this.open()) return;
      const held = Buffer.concat(this.pending);
      this.pending = [];
      this.write(held);
      return;
    }
    this.write(chunk);
  }

  /** Close the file; the output is then complete (or as complete as the cap allowed). */
  close(): void {
    this.pending = [];
    if (this.fd === undefined) return;
    const written = fstatSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    try {
      // The model is told this path: it must still be the file written, not something put there since.
      if (this.path) checkSameFile(this.path, written);
    } catch {
      this.failed = true;
      this.path = undefined;
    }
  }

  private open(): boolean {
    try {
      this.path = newSpillPath(this.dir, this.label);
      this.fd = openNewFileSync(this.path, 0o600);
      return true;
    } catch {
      this.failed = true;
      this.path = undefined;
      this.pending = [];
      return false;
    }
  }

  private write(data: Buffer): void {
    const room = Math.max(0, this.maxSaved - this.savedBytes);
    const part = data.length > room ? data.subarray(0, room) : data;
    this.unsaved += data.length - part.length;
    if (!part.length) return;
    try {
      writeSync(this.fd!, part);
      this.savedBytes += part.length;
    } catch {
      // A copy with a hole would be worse than none: the observation then says nothing was saved.
      const path = this.path!;
      this.failed = true;
      this.close();
      try {
        unlinkSync(path);
      } catch {
        // Gone already, or the disk is that broken: either way no path is claimed.
      }
      this.path = undefined;
    }
  }
}
