import { randomBytes } from "node:crypto";
import type { OAuthClientProvider, OAuthDiscoveryState } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { OAuthSettings } from "./oauth-settings.js";
import type { TokenStore } from "./token-store.js";

/**
 * The OAuth client of one remote MCP server, as the SDK's auth() wants it: client registration,
 * tokens and discovery read from and saved to the token store, under the server's URL. The SDK
 * does the protocol (discovery, dynamic registration or a client ID metadata document, PKCE S256,
 * the `resource` indicator, refresh, scopes from the challenge); this says where things live.
 *
 * Outside a login it never registers a client or sends the person anywhere: auth() gets
 * LoginNeeded instead, and the caller decides whether to run a login (login.ts) or say that one is needed.
 */

/** auth() reached the point where the person must sign in, and no login is running. */
export class LoginNeeded extends Error {
  constructor(readonly server: string) {
    super(`MCP server "${server}" needs a login`);
  }
}

export class McpOAuthProvider implements OAuthClientProvider {
  /** Set while a login runs: where the browser comes back to, and how to send the person there. */
  login?: { redirectUrl: string; open: (url: URL) => void };
  private verifier?: string;
  private discovery?: OAuthDiscoveryState;
  private expectedState?: string;

  constructor(
    private readonly server: { name: string; url: string; oauth: OAuthSettings },
    private readonly store: TokenStore,
  ) {}

  get redirectUrl(): string {
    // Outside a login the URL is only compared (a registration made for another port is kept for refresh).
    const port = this.server.oauth.callbackPort;
    return this.login?.redirectUrl ?? `http://127.0.0.1${port ? `:${port}` : ""}/callback`;
  }

  get clientMetadataUrl(): string | undefined {
    return this.server.oauth.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: "mini-claude",
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      ...(this.server.oauth.scope ? { scope: this.server.oauth.scope } : {}),
    };
  }

  state(): string {
    this.expectedState = randomBytes(16).toString("hex");
    return this.expectedState;
  }

  /** The state sent with the authorization request: the callback must bring it back. */
  get sentState(): string | undefined {
    return this.expectedState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    const { clientId, clientSecret } = this.server.oauth;
    if (clientId) return { client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    const client = this.store.get(this.server.url).client;
    // Outside a login, no registration: without a client there are no tokens, so a login is needed anyway.
    if (!client && !this.login) throw new LoginNeeded(this.server.name);
    // A client registered for another callback port cannot log in on this one: register again.
    const registeredUris = (client as { redirect_uris?: string[] } | undefined)?.redirect_uris;
    if (this.login && registeredUris && !registeredUris.includes(this.login.redirectUrl)) return undefined;
    return client;
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    if (!this.server.oauth.clientId) this.store.update(this.server.url, { client });
  }

  tokens(): OAuthTokens | undefined {
    const stored = this.store.get(this.server.url).tokens;
    if (!stored) return undefined;
    const { expires_at: _expiresAt, ...tokens } = stored;
    return tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    const expires_at = tokens.expires_in !== undefined ? Date.now() + tokens.expires_in * 1000 : undefined;
    this.store.update(this.server.url, { tokens: { ...tokens, ...(expires_at ? { expires_at } : {}) } });
  }

  /** A login asks for a new grant: the old tokens (and a refresh that would bring them back) go. */
  forgetTokens(): void {
    this.store.update(this.server.url, { tokens: undefined });
  }

  redirectToAuthorization(url: URL): void {
    if (!this.login) throw new LoginNeeded(this.server.name);
    this.login.open(url);
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error("no PKCE code verifier: the login did not start here");
    return this.verifier;
  }

  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "verifier") this.verifier = undefined;
    else if (scope === "all") this.store.remove(this.server.url);
    else if (scope === "discovery") this.discovery = undefined;
    else this.store.update(this.server.url, { [scope]: undefined });
  }

  /** Discovery is kept for the session only: a server that moves its authorization server is found again next time. */
  saveDiscoveryState(discovery: OAuthDiscoveryState): void {
    this.discovery = discovery;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
}
