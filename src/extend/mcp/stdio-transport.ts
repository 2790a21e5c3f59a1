import type { ChildProcess } from "node:child_process";
import { PassThrough } from "node:stream";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { terminate } from "../../processes/process-tree.js";
import { spawnTethered } from "../../processes/tethered.js";

/**
 * The stdio transport of an MCP server: the SDK's framing (ReadBuffer, serializeMessage) over a
 * process of our own making. The SDK's StdioClientTransport spawns the server in mini-claude's
 * process group, where a crash leaves its children behind and a `kill -9` of mini-claude leaves
 * the server itself; here it runs tethered (processes/tethered.ts), in a group of its own.
 *
 * Contract: the same as the SDK's transport; `pid` is the server group's id while it runs.
 */
export class TetheredStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** What the server writes on stderr; readable before start(), so nothing early is lost. */
  readonly stderr = new PassThrough();
  private child?: ChildProcess;
  private readonly buffer = new ReadBuffer();

  constructor(private readonly server: { command: string; args: string[]; env: Record<string, string>; cwd: string }) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.child) throw new Error("the MCP server's process is already started");
    return new Promise((resolve, reject) => {
      const child = spawnTethered(this.server.command, this.server.args, { env: this.server.env, cwd: this.server.cwd });
      this.child = child;
      child.once("error", (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once("spawn", () => resolve());
      child.once("close", () => {
        this.child = undefined;
        this.onclose?.();
      });
      child.stdin?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("data", (chunk: Buffer) => this.received(chunk));
      child.stderr?.pipe(this.stderr);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin) return Promise.reject(new Error("Not connected"));
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /** End stdin, then take the whole group down (SIGTERM, SIGKILL after the grace). Never rejects. */
  async close(): Promise<void> {
    const child = this.child;
    this.buffer.clear();
    if (!child?.pid) return;
    child.stdin?.end();
    await terminate(child.pid);
  }

  private received(chunk: Buffer): void {
    try {
      this.buffer.append(chunk);
    } catch (error) {
      this.onerror?.(error as Error);
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        // One line that is not JSON-RPC (a stray log on stdout) is reported, not fatal.
        this.onerror?.(error as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }
}
