import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();
const SDK_ARGS = ["--output-format", "stream-json", "--verbose", "--input-format", "stream-json"];

/** The protocol by hand, for what the SDK's own test cannot provoke: odd input and unknown requests. */
describe("--input-format stream-json, line by line", () => {
  it("answers control requests by request_id, reports what it cannot do, and skips lines that are not JSON", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Hello.")]);
    const cli = startCli(SDK_ARGS, cliOptions(ws, fake, { stdin: "open" }));
    const send = (message: object | string) => cli.child.stdin!.write(`${typeof message === "string" ? message : JSON.stringify(message)}\n`);
    send({ type: "control_request", request_id: "r1", request: { subtype: "initialize", appendSystemPrompt: "Be brief." } });
    send({ type: "control_request", request_id: "r2", request: { subtype: "rewind_files", user_message_id: "x" } });
    send("this is not json");
    send({ type: "user", message: { role: "user", content: [{ type: "image", source: {} }] } });
    send({ type: "user", message: { role: "user", content: [{ type: "text", text: "hi" }] } });
    await cli.waitFor(/"subtype":"success"/);
    cli.child.stdin!.end();
    const result = await cli.done;
    expect(result.code).toBe(0);
    const messages = result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    const responses = messages.filter((m) => m.type === "control_response").map((m) => m.response);
    expect(responses.map((r) => r.request_id)).toEqual(["r1", "r2"]);
    expect(responses[0]).toMatchObject({ subtype: "success", request_id: "r1", response: { commands: [], output_style: "default" } });
    expect(responses[1]).toEqual({ subtype: "error", request_id: "r2", error: "Unsupported control request subtype: rewind_files" });
    const results = messages.filter((m) => m.type === "result");
    // The image-only message had no text: an error result, and no request to the model.
    expect(results.map((r) => r.subtype)).toEqual(["error_during_execution", "success"]);
    expect(results[0].errors).toEqual(["The message had no text for the model."]);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].messages[0].content).toMatch(/Be brief\.$/);
    expect(result.stderr).toContain("ignored a stdin line that is not JSON: this is not json");
    expect(result.stderr).toContain("skipped image blocks");
  });
});
