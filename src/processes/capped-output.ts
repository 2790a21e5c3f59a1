import { StringDecoder } from "node:string_decoder";
import { cutMarker } from "../truncate.js";

/**
 * Keeps the first `headMax` bytes and a rolling window of the last `tailMax` bytes in fixed buffers,
 * so a command printing gigabytes costs the same memory as one printing kilobytes.
 */
export class CappedOutput {
  private readonly head: Buffer;
  private headLength = 0;
  private readonly ring: Buffer;
  private ringEnd = 0;
  private tailTotal = 0;

  constructor(headMax: number, tailMax: number) {
    this.head = Buffer.alloc(headMax);
    this.ring = Buffer.alloc(tailMax);
  }

  push(chunk: Buffer): void {
    let data = chunk;
    if (this.headLength < this.head.length) {
      const copied = data.copy(this.head, this.headLength);
      this.headLength += copied;
      data = data.subarray(copied);
    }
    if (data.length === 0) return;
    this.tailTotal += data.length;
    const size = this.ring.length;
    if (data.length >= size) {
      data.copy(this.ring, 0, data.length - size);
      this.ringEnd = 0;
      return;
    }
    const first = data.copy(this.ring, this.ringEnd);
    if (first < data.length) data.copy(this.ring, 0, first);
    this.ringEnd = (this.ringEnd + data.length) % size;
  }

  text(): { text: string; cut: number } {
    const head = this.head.subarray(0, this.headLength);
    const size = this.ring.length;
    if (this.tailTotal <= size) {
      return { text: Buffer.concat([head, this.ring.subarray(0, this.tailTotal)]).toString("utf8"), cut: 0 };
    }
    let tail = Buffer.concat([this.ring.subarray(this.ringEnd), this.ring.subarray(0, this.ringEnd)]);
    let start = 0;
    while (start < 3 && (tail[start] & 0xc0) === 0x80) start++;
    tail = tail.subarray(start);
    // StringDecoder.write holds back an incomplete trailing character instead of emitting U+FFFD.
    const headText = new StringDecoder("utf8").write(head);
    const cut = this.tailTotal - size + start + (head.length - Buffer.byteLength(headText));
    return { text: `${headText}${cutMarker(cut)}${tail.toString("utf8")}`, cut };
  }
}
