import { describe, expect, it } from "vitest";
import { parseOAuthSettings } from "../../src/extend/mcp/oauth-settings.js";

// The `oauth` block of a remote MCP server: what a person may write, and the one-line reason when
// it is wrong (the config loader prefixes the server's name).

const parse = (raw: unknown) => parseOAuthSettings(raw, (value) => String(value));

describe("MCP oauth settings", () => {
  it("reads a pre-registered client, its callback port, a client ID document URL and a scope", () => {
    expect(parse({ clientId: "id", clientSecret: "s", callbackPort: 8765, clientMetadataUrl: "https://example.org/client.json", scope: "read" })).toEqual({
      clientId: "id",
      clientSecret: "s",
      callbackPort: 8765,
      clientMetadataUrl: "https://example.org/client.json",
      scope: "read",
    });
    expect(parse(undefined)).toEqual({});
  });

  it("reads the machine grants: client credentials with a secret or a key, and enterprise with an ID token", () => {
    expect(parse({ grant: "client_credentials", clientId: "id", privateKey: "PEM", signingAlgorithm: "ES256" })).toMatchObject({ grant: "client_credentials", privateKey: "PEM" });
    expect(parse({ grant: "enterprise", clientId: "id", idToken: "jwt", idpTokenEndpoint: "https://idp/token" })).toMatchObject({ grant: "enterprise", idToken: "jwt" });
  });

  it("says what is wrong in one line", () => {
    expect(() => parse([])).toThrow(`"oauth" must be an object`);
    expect(() => parse({ clientID: "x" })).toThrow(`"oauth" has no field "clientID" (known: clientId,`);
    expect(() => parse({ callbackPort: 70000 })).toThrow(`"oauth.callbackPort" must be a port number`);
    expect(() => parse({ clientMetadataUrl: "http://example.org/c.json" })).toThrow(`"oauth.clientMetadataUrl" must be an https URL with a path`);
    expect(() => parse({ grant: "password" })).toThrow(`"oauth.grant" must be one of "authorization_code", "client_credentials", "enterprise"`);
    expect(() => parse({ grant: "client_credentials", clientId: "id" })).toThrow(`needs "clientId" and "clientSecret" or "privateKey"`);
    expect(() => parse({ grant: "enterprise", clientId: "id" })).toThrow(`needs "clientId", "idToken" and "idpTokenEndpoint"`);
  });
});
