import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthSettings } from "./oauth-settings.js";

/**
 * The OAuth client of a server configured with `"grant": "client_credentials"` (the MCP
 * client-credentials extension, for machine-to-machine use such as CI): no person and no browser;
 * the SDK's providers get a token with the client's secret (client_secret_basic) or a signed JWT
 * (private_key_jwt), again whenever the server answers 401. Tokens stay in memory: the
 * credentials themselves are what is kept, in the config.
 */
export async function clientCredentialsProvider(settings: OAuthSettings): Promise<OAuthClientProvider> {
  const { ClientCredentialsProvider, PrivateKeyJwtProvider } = await import("@modelcontextprotocol/sdk/client/auth-extensions.js");
  const common = { clientId: settings.clientId!, clientName: "mini-claude", ...(settings.scope ? { scope: settings.scope } : {}) };
  if (settings.privateKey) return new PrivateKeyJwtProvider({ ...common, privateKey: settings.privateKey, algorithm: settings.signingAlgorithm ?? "RS256" });
  return new ClientCredentialsProvider({ ...common, clientSecret: settings.clientSecret! });
}
