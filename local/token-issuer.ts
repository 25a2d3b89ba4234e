import {
  createHash,
  createPrivateKey,
  createSign,
  generateKeyPairSync,
  randomUUID,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname } from "node:path";
import { SCOPES } from "../lib/routes";

/** The local stack's one app client, as a Cognito app client would name itself in client_id. */
export const LOCAL_CLIENT_ID = "picus-local";
export const ALL_SCOPES = Object.values(SCOPES);

export interface LocalIssuer {
  /** `http://127.0.0.1:<port>/local-issuer`, where a Cognito user pool's URL would be. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** An access token shaped like Cognito's for the client credentials grant. */
  sign(scopes: readonly string[], options?: { ttlSeconds?: number; clientId?: string }): string;
  /** Serves the JWKS at jwksUri's path; passes everything else on. */
  serveJwks(req: IncomingMessage, res: ServerResponse, next: () => void): void;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * The local stack's token issuer: an RSA key kept in `keyFile` (so tokens survive a restart;
 * created on first use), its JWKS, and RS256 tokens with the claims Cognito puts in an access
 * token (`iss`, `client_id`, `token_use`, `scope`, `exp`).
 */
export function localIssuer(origin: string, keyFile?: string): LocalIssuer {
  let pem =
    keyFile !== undefined && existsSync(keyFile) ? readFileSync(keyFile, "utf8") : undefined;
  if (pem === undefined) {
    pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    if (keyFile !== undefined) {
      mkdirSync(dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, pem, { mode: 0o600 });
    }
  }
  const privateKey = createPrivateKey(pem);
  const publicJwk = privateKey.export({ format: "jwk" });
  const kid = createHash("sha256").update(`${publicJwk.n}.${publicJwk.e}`).digest("base64url");
  const jwks = JSON.stringify({
    keys: [{ kty: "RSA", n: publicJwk.n, e: publicJwk.e, kid, alg: "RS256", use: "sig" }],
  });
  const issuer = `${origin}/local-issuer`;
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const jwksPath = new URL(jwksUri).pathname;
  return {
    issuer,
    jwksUri,
    sign(scopes, { ttlSeconds = 3600, clientId = LOCAL_CLIENT_ID } = {}) {
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
    serveJwks(req, res, next) {
      if (req.method !== "GET" || req.url !== jwksPath) return next();
      res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=300" });
      res.end(jwks);
    },
  };
}
