// What the conformance runner starts for each scenario (it appends the scenario's server URL):
// the built mini-claude in --print mode, with that server as its one MCP server, a fake model
// that calls the server's tools, and a $BROWSER that completes any OAuth login unattended.
// Runs on the Node that runs mini-claude (20), not the runner's.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeModel } from "./fake-model.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const serverUrl = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}");

// What a person would write in mcp.json for such a server: pre-registered credentials when the
// scenario hands some out, and the client ID metadata document URL the suite's servers accept.
const oauth = { clientMetadataUrl: "https://conformance-test.local/client-metadata.json" };
if (context.client_id) Object.assign(oauth, { clientId: context.client_id, clientSecret: context.client_secret });
// A machine-to-machine server: its client signs in with a secret or a private key, no browser.
if (scenario.startsWith("auth/client-credentials")) {
  Object.assign(oauth, { grant: "client_credentials", clientMetadataUrl: undefined });
  if (context.private_key_pem) Object.assign(oauth, { privateKey: context.private_key_pem, signingAlgorithm: context.signing_algorithm });
}
// Enterprise-managed: the organisation's IdP signed the person in; its ID token is handed over.
if (context.idp_id_token) {
  Object.assign(oauth, { grant: "enterprise", clientMetadataUrl: undefined, idToken: context.idp_id_token, idpTokenEndpoint: context.idp_token_endpoint, idpClientId: context.idp_client_id });
}
const home = mkdtempSync(join(tmpdir(), "mini-claude-conformance-"));
const config = join(home, "mcp.json");
writeFileSync(config, JSON.stringify({ mcpServers: { conformance: { type: "http", url: serverUrl, oauth, startup_timeout_ms: 30_000 } } }));

const model = await startFakeModel();
const env = {
  PATH: process.env.PATH,
  HOME: home,
  MINI_CLAUDE_HOME: home,
  LANG: "C.UTF-8",
  OPENAI_BASE_URL: model.url,
  OPENAI_API_KEY: "conformance",
  MINI_CLAUDE_MODEL: "fake-model",
  // A form (elicitation) in --print is declined unless the person says otherwise: here, its defaults.
  MINI_CLAUDE_MCP_ELICITATION: "defaults",
  BROWSER: `${process.execPath} ${join(root, "test/support/follow-browser.mjs")}`,
};
const child = spawn(process.execPath, [join(root, "dist/cli.js"), "-p", "--yes", "--mcp-config", config, `Use the MCP tools (${scenario}).`], {
  cwd: home,
  env,
  stdio: ["ignore", "inherit", "inherit"],
});
const code = await new Promise((resolve) => child.on("close", (exit) => resolve(exit ?? 1)));
model.close();
rmSync(home, { recursive: true, force: true });
process.exit(code);
