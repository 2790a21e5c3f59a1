// What the MCP protocol features add to every request: the mcp_resources schema (offered only while a
// running server has resources) and a server's instructions, counted with o200k and with the
// estimator's starting ratio (src/context/estimate.ts).
//
//   npx tsx bench/mcp-protocol-tokens.ts
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { INITIAL_BYTES_PER_TOKEN } from "../src/context/estimate.js";
import { MAX_INSTRUCTIONS_BYTES } from "../src/extend/mcp/instructions.js";
import { resourcesTool } from "../src/extend/mcp/resources.js";
import { toolSpecs } from "../src/tools/index.js";

for (const names of [["docs"], ["everything", "memory", "filesystem"]]) {
  const json = JSON.stringify(toolSpecs([resourcesTool(() => [], names)]));
  const bytes = Buffer.byteLength(json);
  console.log(`mcp_resources for ${names.length} server(s): ${countTokens(json)} tokens (o200k), ${bytes} bytes, ~${Math.ceil(bytes / INITIAL_BYTES_PER_TOKEN)} by the estimator's starting ratio`);
}
console.log(`instructions: at most ${MAX_INSTRUCTIONS_BYTES} bytes per server, about ${countTokens("word ".repeat(MAX_INSTRUCTIONS_BYTES / 5))} tokens of plain English`);
