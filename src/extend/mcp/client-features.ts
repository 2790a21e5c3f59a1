import { pathToFileURL } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { ElicitRequest, ElicitResult } from "@modelcontextprotocol/sdk/types.js";

/**
 * What mini-claude offers the servers as an MCP client, beyond calling their tools: roots (the
 * workspace, the one folder the tools may touch) and elicitation (a question for the person, in
 * form or URL mode). The capabilities are declared here and answered here; the question itself is
 * the mode's (the REPL's form, --print's policy), given through `ClientFeatures.elicit`.
 */

/** A server's question for the person, as elicitation/create carries it. */
export type ElicitationRequest = ElicitRequest["params"];
export type ElicitationAnswer = ElicitResult;

export interface ClientFeatures {
  /** The workspace: the client's one root. */
  root: string;
  /**
   * Answers `server`'s question. `signal` aborts when the server cancels the request or the
   * connection ends. Contract: never rejects; anything unanswerable is "cancel" or "decline".
   */
  elicit(server: string, request: ElicitationRequest, signal: AbortSignal): Promise<ElicitationAnswer>;
  /** A question is on screen: a call's progress is not drawn meanwhile. */
  asking(): boolean;
}

/**
 * Declared at initialize. The workspace cannot change within a session (it is fixed at start-up),
 * so roots are declared without listChanged: a server asks roots/list and the answer stays true.
 */
export const CLIENT_CAPABILITIES = {
  roots: { listChanged: false },
  elicitation: { form: {}, url: {} },
};

type RequestSchemas = typeof import("@modelcontextprotocol/sdk/types.js");

/** Answers roots/list and elicitation/create for `server` on `client` (before connect). */
export function answerClientRequests(client: Client, schemas: Pick<RequestSchemas, "ListRootsRequestSchema" | "ElicitRequestSchema">, server: string, features: ClientFeatures): void {
  const root = { uri: pathToFileURL(features.root).href, name: "workspace" };
  client.setRequestHandler(schemas.ListRootsRequestSchema, () => ({ roots: [root] }));
  client.setRequestHandler(schemas.ElicitRequestSchema, async (request, extra) => {
    try {
      return await features.elicit(server, request.params, extra.signal);
    } catch {
      return { action: "cancel" };
    }
  });
}
