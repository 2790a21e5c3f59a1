/**
 * The `oauth` block of a remote MCP server's config, for servers whose login needs more than
 * discovery and dynamic registration: a client registered beforehand (`clientId`, `clientSecret`,
 * usually `${VAR}`), the fixed `callbackPort` such a client was registered with, the https URL of
 * a published client ID metadata document (`clientMetadataUrl`), and the `scope` to ask for when
 * the server names none. `"grant": "client_credentials"` signs in without a person, with
 * `clientSecret` or a `privateKey` (PEM, signed with `signingAlgorithm`, RS256 unless said);
 * `"grant": "enterprise"` exchanges the organisation's `idToken` at `idpTokenEndpoint` (as
 * `idpClientId`) for the server's token (enterprise-auth.ts).
 */
export interface OAuthSettings {
  clientId?: string;
  clientSecret?: string;
  callbackPort?: number;
  clientMetadataUrl?: string;
  scope?: string;
  grant?: Grant;
  privateKey?: string;
  signingAlgorithm?: string;
  idToken?: string;
  idpTokenEndpoint?: string;
  idpClientId?: string;
}

type Grant = "authorization_code" | "client_credentials" | "enterprise";
const GRANTS: readonly string[] = ["authorization_code", "client_credentials", "enterprise"];
const FIELDS = ["clientId", "clientSecret", "clientMetadataUrl", "scope", "privateKey", "signingAlgorithm", "idToken", "idpTokenEndpoint", "idpClientId"] as const;

/** Throws an Error with a short reason when the block is malformed. */
export function parseOAuthSettings(raw: unknown, expand: (value: unknown, field: string) => string): OAuthSettings {
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new Error(`"oauth" must be an object`);
  const block = raw as Record<string, unknown>;
  const unknown = Object.keys(block).filter((key) => !(FIELDS as readonly string[]).includes(key) && key !== "callbackPort" && key !== "grant");
  if (unknown.length) throw new Error(`"oauth" has no field ${unknown.map((key) => `"${key}"`).join(", ")} (known: ${[...FIELDS, "callbackPort", "grant"].join(", ")})`);
  const settings: OAuthSettings = {};
  for (const field of FIELDS) if (block[field] !== undefined) settings[field] = expand(block[field], `oauth.${field}`);
  const port = block.callbackPort;
  if (port !== undefined) {
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"oauth.callbackPort" must be a port number`);
    settings.callbackPort = port;
  }
  const grant = block.grant;
  if (grant !== undefined && !GRANTS.includes(grant as string)) throw new Error(`"oauth.grant" must be one of ${GRANTS.map((g) => `"${g}"`).join(", ")}`);
  if (grant) settings.grant = grant as Grant;
  if (grant === "client_credentials" && !(settings.clientId && (settings.clientSecret || settings.privateKey))) {
    throw new Error(`"oauth.grant": "client_credentials" needs "clientId" and "clientSecret" or "privateKey"`);
  }
  if (grant === "enterprise" && !(settings.clientId && settings.idToken && settings.idpTokenEndpoint)) {
    throw new Error(`"oauth.grant": "enterprise" needs "clientId", "idToken" and "idpTokenEndpoint"`);
  }
  if (settings.clientMetadataUrl && !/^https:\/\/[^/]+\/./.test(settings.clientMetadataUrl)) {
    throw new Error(`"oauth.clientMetadataUrl" must be an https URL with a path, where the client's metadata document is published`);
  }
  return settings;
}
