import { describe, expect, it } from "vitest";
import { errorLineFilter, rewriteErrorLines } from "../../src/model/stream-errors.js";

describe("llama.cpp's error: line", () => {
  it("becomes a data event with an error object; other lines pass unchanged", () => {
    expect(rewriteErrorLines('data: {"a":1}\n\nerror: {"code":500,"message":"boom"}\n\ndata: [DONE]\n\n')).toBe(
      'data: {"a":1}\n\ndata: {"error":{"code":500,"message":"boom"}}\n\ndata: [DONE]\n\n',
    );
    expect(rewriteErrorLines("error: not json\r\n\r\n")).toBe('data: {"error":{"message":"not json"}}\r\n\r\n');
    expect(rewriteErrorLines('data: {"content":"error: in text"}\n\n')).toBe('data: {"content":"error: in text"}\n\n');
  });

  it("is found even when the line arrives split across network chunks", async () => {
    const encoder = new TextEncoder();
    const pieces = ['data: {"x":"é"}\n\ner', 'ror: {"message":"ctx', ' full"}\n', "\ndata: [DONE]\n\n"];
    const bytes = pieces.map((piece) => encoder.encode(piece));
    // Split the two-byte "é" across chunks too.
    const first = bytes[0];
    const split = [first.slice(0, 13), first.slice(13), ...bytes.slice(1)];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of split) controller.enqueue(chunk);
        controller.close();
      },
    }).pipeThrough(errorLineFilter());
    const text = await new Response(stream).text();
    expect(text).toBe('data: {"x":"é"}\n\ndata: {"error":{"message":"ctx full"}}\n\ndata: [DONE]\n\n');
  });
});
