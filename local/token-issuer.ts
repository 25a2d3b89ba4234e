import {
  createHash,
  createPrivateKey,
  createSign,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname } from "node:path";
import { SCOPES } from "../lib/routes";

/** The local stack's one app client, as a Cognito app client would name itself in client_id. */
export const LOCAL_CLIENT_ID = "picus-local";
export const ALL_SCOPES = Object.values(SCOPES);

export type LocalIssuer = ReturnType<typeof localIssuer>;

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** The key kept in `keyFile` (so tokens survive a restart), created on first use; else a new one. */
function signingKey(keyFile?: string): KeyObject {
  if (keyFile !== undefined && existsSync(keyFile)) return createPrivateKey(readFileSync(keyFile));
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  if (keyFile !== undefined) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  }
  return privateKey;
}

/**
 * The local stack's token issuer, where a Cognito user pool would be: its JWKS, and RS256 tokens
 * with the claims Cognito puts in an access token (`iss`, `client_id`, `token_use`, `scope`, `exp`).
 */
export function localIssuer(origin: string, keyFile?: string) {
  const privateKey = signingKey(keyFile);
  const { n, e } = privateKey.export({ format: "jwk" });
  const kid = createHash("sha256").update(`${n}.${e}`).digest("base64url");
  const jwks = JSON.stringify({ keys: [{ kty: "RSA", n, e, kid, alg: "RS256", use: "sig" }] });
  const issuer = `${origin}/local-issuer`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const jwksPath = new URL(jwksUri).pathname;
  return {
    issuer,
    jwksUri,
    /** An access token shaped like Cognito's for the client credentials grant. */
    sign(scopes: readonly string[], { ttlSeconds = 3600, clientId = LOCAL_CLIENT_ID } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        iss: issuer,
        sub: clientId,
        client_id: clientId,
        token_use: "access",
        scope: scopes.join(" "),
        iat: now,
        exp: now + ttlSeconds,
        jti: randomUUID(),
      };
      const unsigned = `${base64url({ alg: "RS256", kid, typ: "JWT" })}.${base64url(payload)}`;
      const signature = createSign("RSA-SHA256").update(unsigned).sign(privateKey, "base64url");
      return `${unsigned}.${signature}`;
    },
    /** Serves the JWKS at jwksUri's path; passes everything else on. */
    serveJwks(req: IncomingMessage, res: ServerResponse, next: () => void): void {
      if (req.method !== "GET" || req.url !== jwksPath) return next();
      res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
      res.end(jwks);
    },
  };
}
