import type { ParsedArgs } from "../../config/args.js";
import { loadConfig } from "../../config/config.js";
import { EXIT } from "../../exit-codes.js";
import { loadMcpConfig } from "../../extend/mcp/config.js";
import { McpHub } from "../../extend/mcp/hub.js";
import { showControls } from "../../sanitize.js";

/**
 * `mini-claude mcp login NAME` and `mini-claude mcp logout NAME`: the OAuth login of one configured
 * remote MCP server (the same flow as /mcp login), outside any session; no model is needed.
 */
export async function runMcpAuthCommand(args: ParsedArgs, verb: "login" | "logout", name: string): Promise<number> {
  const config = await loadConfig(args);
  const say = (line: string) => process.stdout.write(`${showControls(line)}\n`);
  const mcpConfig = loadMcpConfig({ workspace: config.workspace, configDir: config.configDir, extraFiles: config.mcpConfigFiles });
  for (const problem of mcpConfig.problems) process.stderr.write(`mini-claude: MCP configuration: ${showControls(problem)}\n`);
  const hub = new McpHub(mcpConfig, config);
  try {
    const outcome = verb === "login" ? await hub.logIn(name, say) : await hub.logOut(name);
    say(outcome);
    return /logged (in|out);/.test(outcome) ? EXIT.ok : EXIT.failed;
  } finally {
    await hub.closeAll();
  }
}
