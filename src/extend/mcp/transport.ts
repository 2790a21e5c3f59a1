import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { ServerConfig } from "./config.js";

/**
 * The connection to a remote MCP server: streamable HTTP, or the legacy HTTP+SSE transport for
 * `"type": "sse"`, with the server's OAuth client attached. The last 401/403 challenge is kept
 * (its `scope` and `resource_metadata`), so a login asks for what the server asked for (step-up).
 */

type RemoteConfig = Extract<ServerConfig, { transport: "http" | "sse" }>;

/** What the server's last WWW-Authenticate asked for. */
export interface Challenge {
  scope?: string;
  resourceMetadataUrl?: URL;
  /** "insufficient_scope" on a 403: the token is fine but asks for too little (step-up). */
  error?: string;
}

/** A session the server no longer knows (404 on its id): the connection is made again. */
export function isForgottenSession(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 404 && /Streamable HTTP error/.test(String((error as Error)?.message));
}

export async function remoteTransport(config: RemoteConfig, provider: OAuthClientProvider, challenge: Challenge): Promise<Transport> {
  const [{ StreamableHTTPClientTransport }, { SSEClientTransport }, { extractWWWAuthenticateParams }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/client/sse.js"),
    import("@modelcontextprotocol/sdk/client/auth.js"),
  ]);
  const recording = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const response = await fetch(url, init);
    if ((response.status === 401 || response.status === 403) && response.headers.has("www-authenticate")) {
      Object.assign(challenge, { scope: undefined, resourceMetadataUrl: undefined, error: undefined }, extractWWWAuthenticateParams(response));
    }
    return response;
  };
  const options = { authProvider: provider, requestInit: { headers: config.headers }, fetch: recording };
  const url = new URL(config.url);
  return config.transport === "sse" ? new SSEClientTransport(url, options) : new StreamableHTTPClientTransport(url, options);
}

/** The HTTP session is ended with a DELETE, as the spec asks; a server that does not answer in time is left. */
export async function endSession(transport: Transport | undefined, timeoutMs = 1000): Promise<void> {
  const terminate = (transport as { terminateSession?: () => Promise<void> } | undefined)?.terminateSession;
  if (!terminate || !(transport as { sessionId?: string }).sessionId) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([terminate.call(transport).catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
