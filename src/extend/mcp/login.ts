import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openUrl } from "../../processes/open-url.js";
import type { McpOAuthProvider } from "./oauth.js";
import type { Challenge } from "./transport.js";

/**
 * One OAuth login to a remote MCP server: a callback server on 127.0.0.1 (an ephemeral port unless
 * the config fixes one), the authorization URL printed and opened in the browser, the code taken
 * from the redirect (its `state` checked) and exchanged for tokens; the callback server is closed
 * whatever happens, and a login nobody completes ends after LOGIN_TIMEOUT_MS.
 */

const LOGIN_TIMEOUT_MS = 180_000;

export interface LoginIO {
  /** One line for the person (the URL to open). */
  say: (line: string) => void;
  timeoutMs?: number;
}

export async function logIn(provider: McpOAuthProvider, server: { name: string; url: string; oauth: { callbackPort?: number } }, challenge: Challenge, io: LoginIO): Promise<void> {
  const { auth } = await import("@modelcontextprotocol/sdk/client/auth.js");
  const callback = await listenForCallback(server.oauth.callbackPort ?? 0, () => provider.sentState);
  const options = { serverUrl: server.url, scope: challenge.scope, resourceMetadataUrl: challenge.resourceMetadataUrl };
  try {
    provider.login = {
      redirectUrl: callback.url,
      open: async (url) => {
        const opened = await openUrl(url.href);
        io.say(`Log in to MCP server ${server.name}${opened ? " in the browser that opened, or" : ":"} open ${url.href}`);
      },
    };
    provider.forgetTokens();
    if ((await auth(provider, options)) === "AUTHORIZED") return;
    const code = await callback.code(io.timeoutMs ?? LOGIN_TIMEOUT_MS);
    if ((await auth(provider, { ...options, authorizationCode: code })) !== "AUTHORIZED") throw new Error("the authorization server did not issue tokens");
  } finally {
    provider.login = undefined;
    callback.close();
  }
}

interface Callback {
  url: string;
  /** The code the browser brings back; rejects on an error redirect, a wrong state or the timeout. */
  code: (timeoutMs: number) => Promise<string>;
  close: () => void;
}

/** The loopback server the authorization server redirects the browser to; `state()` is what the login sent. */
async function listenForCallback(port: number, state: () => string | undefined): Promise<Callback> {
  let answer: { resolve: (code: string) => void; reject: (error: Error) => void } | undefined;
  // The browser may come back before anyone waits: the first answer is kept until then.
  const answered = new Promise<string>((resolve, reject) => (answer = { resolve, reject }));
  answered.catch(() => undefined);
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/callback" || !answer) {
      res.writeHead(404).end();
      return;
    }
    const error = url.searchParams.get("error");
    const code = url.searchParams.get("code");
    const wrongState = url.searchParams.get("state") !== (state() ?? null);
    const problem = error ? `the authorization server answered ${error}${describe(url.searchParams.get("error_description"))}` : wrongState ? "the answer's state does not match this login" : !code ? "the answer has no code" : undefined;
    res.writeHead(problem ? 400 : 200, { "content-type": "text/plain; charset=utf-8" });
    res.end(problem ? `mini-claude: login failed: ${problem}.\n` : "mini-claude: logged in. You can close this tab.\n");
    if (problem) answer.reject(new Error(problem));
    else answer.resolve(code!);
    answer = undefined;
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(new Error(`cannot listen on 127.0.0.1:${port} for the login's callback (${error.code ?? error.message})`)));
    server.listen(port, "127.0.0.1", resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}/callback`,
    code: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no login within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs)));
      return Promise.race([answered, timeout]).finally(() => clearTimeout(timer));
    },
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

function describe(text: string | null): string {
  return text ? ` (${text.slice(0, 200)})` : "";
}
