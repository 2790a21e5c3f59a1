import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformation, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { OAuthSettings } from "./oauth-settings.js";

/**
 * The OAuth client of a server configured with `"grant": "enterprise"` (the MCP enterprise-managed
 * authorization extension, SEP-990): the organisation's identity provider already signed the person
 * in and its ID token is in the config (`idToken`, usually `${VAR}` from the company's login tool).
 * That token is exchanged at the IdP (RFC 8693) for an ID-JAG naming this server's authorization
 * server and resource, and the ID-JAG for an access token (the jwt-bearer grant, RFC 7523), with
 * the client's own credentials. No browser; a 401 repeats both steps. Tokens stay in memory.
 */

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export class EnterpriseAuthProvider implements OAuthClientProvider {
  private accessTokens?: OAuthTokens;
  private discovery?: OAuthDiscoveryState;

  constructor(
    private readonly serverUrl: string,
    private readonly settings: OAuthSettings,
  ) {}

  get redirectUrl(): undefined {
    return undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "mini-claude", redirect_uris: [], grant_types: [JWT_BEARER], ...(this.settings.scope ? { scope: this.settings.scope } : {}) };
  }

  clientInformation(): OAuthClientInformation {
    return { client_id: this.settings.clientId!, ...(this.settings.clientSecret ? { client_secret: this.settings.clientSecret } : {}) };
  }

  tokens(): OAuthTokens | undefined {
    return this.accessTokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.accessTokens = tokens;
  }

  redirectToAuthorization(): void {
    throw new Error("enterprise-managed authorization never opens a browser");
  }

  saveCodeVerifier(): void {}

  codeVerifier(): string {
    throw new Error("enterprise-managed authorization has no PKCE verifier");
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  /** The jwt-bearer grant, with an ID-JAG fetched from the IdP for this authorization server and resource. */
  async prepareTokenRequest(scope?: string): Promise<URLSearchParams> {
    const audience = this.discovery?.authorizationServerMetadata?.issuer ?? this.discovery?.authorizationServerUrl;
    if (!audience) throw new Error("the authorization server was not discovered");
    const resource = this.discovery?.resourceMetadata?.resource ?? this.serverUrl;
    const exchange = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE,
      subject_token: this.settings.idToken!,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:ietf:params:oauth:token-type:id-jag",
      audience,
      resource,
      client_id: this.settings.idpClientId ?? this.settings.clientId!,
      ...(scope ? { scope } : {}),
    });
    const response = await fetch(this.settings.idpTokenEndpoint!, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body: exchange });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
    if (!response.ok || !body.access_token) {
      throw new Error(`the identity provider refused to exchange the ID token (${response.status}${body.error ? ` ${body.error}` : ""}${body.error_description ? `: ${body.error_description}` : ""})`);
    }
    return new URLSearchParams({ grant_type: JWT_BEARER, assertion: body.access_token, ...(scope ? { scope } : {}) });
  }
}
