import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import {
  ALL_SCOPES,
  LOCAL_CLIENT_ID,
  localIssuer,
  type LocalIssuer,
} from "../../local/token-issuer";
import type { AuthSettings } from "../auth";
import { freePort } from "../free-port";

let issuing: Promise<LocalIssuer> | undefined;

/** One token issuer per test file, its JWKS served on a loopback port, as Cognito's would be. */
export function testIssuer(): Promise<LocalIssuer> {
  issuing ??= (async () => {
    const port = await freePort();
    const issuer = localIssuer(`http://127.0.0.1:${port}`);
    const server = createServer((req, res) =>
      issuer.serveJwks(req, res, () => res.writeHead(404).end()),
    );
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    server.unref();
    return issuer;
  })();
  return issuing;
}

/** The settings that accept the test issuer's tokens. */
export async function testAuthSettings(): Promise<AuthSettings> {
  const { issuer, jwksUri } = await testIssuer();
  return { issuer, jwksUri, clientIds: [LOCAL_CLIENT_ID] };
}

export { ALL_SCOPES, LOCAL_CLIENT_ID };

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Every kind of token a route must refuse with 401, made against `issuer`: expired, unsigned
 * (`alg: none`), HS256-signed with the public key as secret, re-signed by another issuer, with
 * its payload altered, issued to an unknown client, not a JWT at all.
 */
export const REFUSED_TOKEN_KINDS = [
  "expired",
  "alg none",
  "HS256 forgery",
  "another issuer",
  "altered payload",
  "unknown client",
  "not a JWT",
] as const;

export function refusedTokens(
  issuer: LocalIssuer,
): Record<(typeof REFUSED_TOKEN_KINDS)[number], string> {
  const valid = issuer.sign(ALL_SCOPES);
  const [header, payload] = valid.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<
    string,
    unknown
  >;
  const { kid } = JSON.parse(Buffer.from(header, "base64url").toString()) as { kid: string };
  const hs256 = `${part({ alg: "HS256", kid, typ: "JWT" })}.${payload}`;
  return {
    expired: issuer.sign(ALL_SCOPES, { ttlSeconds: -120 }),
    "alg none": `${part({ alg: "none", typ: "JWT" })}.${payload}.`,
    "HS256 forgery": `${hs256}.${createHmac("sha256", kid).update(hs256).digest("base64url")}`,
    "another issuer": localIssuer("http://127.0.0.1:9/elsewhere").sign(ALL_SCOPES),
    "altered payload": `${header}.${part({ ...claims, scope: "picus/admin" })}.${valid.split(".")[2]}`,
    "unknown client": issuer.sign(ALL_SCOPES, { clientId: "someone-else" }),
    "not a JWT": "not-a-jwt",
  };
}
