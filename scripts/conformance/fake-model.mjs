// A chat-completions server on 127.0.0.1 for the conformance run (the same protocol as
// test/support/fake-openai.ts, streamed as SSE), with one fixed behaviour instead of a script:
// on the person's prompt it calls every MCP tool it was given once, with arguments made from each
// tool's schema; after the results it answers "Done.". Each scenario then sees a real agent turn.
import { createServer } from "node:http";

export function startFakeModel() {
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.method !== "POST" || !req.url.endsWith("/chat/completions")) {
      res.writeHead(req.url.endsWith("/models") ? 200 : 404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ object: "list", data: [{ id: "fake-model", object: "model" }] }));
    }
    const request = JSON.parse(body);
    const last = request.messages.at(-1);
    const tools = (request.tools ?? []).map((t) => t.function).filter((f) => f.name.startsWith("mcp__"));
    const calls = last.role === "user" ? tools.map((f, i) => ({ index: i, id: `call_${i}`, type: "function", function: { name: f.name, arguments: JSON.stringify(sampleArgs(f.parameters)) } })) : [];
    const delta = calls.length ? { role: "assistant", tool_calls: calls } : { role: "assistant", content: tools.length || last.role === "tool" ? "Done." : "No MCP tools." };
    const chunk = (choice) => `data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", created: 0, model: "fake-model", choices: [choice] })}\n\n`;
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunk({ index: 0, delta, finish_reason: null }));
    res.write(chunk({ index: 0, delta: {}, finish_reason: calls.length ? "tool_calls" : "stop" }));
    res.end("data: [DONE]\n\n");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}/v1`, close: () => server.close() })));
}

/** The smallest arguments the schema accepts: its required properties, each a plain value of its type. */
function sampleArgs(schema = {}) {
  const args = {};
  for (const name of schema.required ?? []) {
    const property = schema.properties?.[name] ?? {};
    const type = Array.isArray(property.type) ? property.type[0] : property.type;
    args[name] = property.default ?? property.enum?.[0] ?? { number: 1, integer: 1, boolean: true, array: [], object: {} }[type] ?? "test";
  }
  return args;
}
