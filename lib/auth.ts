import { JwtRsaVerifier } from "aws-jwt-verify";
import { FetchError, JwksNotAvailableInCacheError, JwtBaseError } from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { ForbiddenError, IssuerUnavailableError, UnauthorizedError } from "./errors";
import type { Scope } from "./routes";

export interface AuthSettings {
  /** The token issuer: the Cognito user pool's URL, or the local issuer's. */
  issuer: string;
  /** Where the issuer's signing keys are; Cognito's are at `${issuer}/.well-known/jwks.json`. */
  jwksUri: string;
  /** The app clients whose tokens are accepted (Cognito access tokens name theirs in client_id). */
  clientIds: readonly string[];
}

export type Authorize = (authorization: string | undefined, scope: Scope) => Promise<void>;

/** JWKS over http (the local issuer) or https, with a time limit, through the runtime's fetch. */
const jwksFetcher: Fetcher = {
  async fetch(uri) {
    const response = await fetch(uri, { signal: AbortSignal.timeout(3000) }).catch(
      (error: unknown) => {
        throw new FetchError(uri, error instanceof Error ? error.message : String(error));
      },
    );
    if (!response.ok) throw new FetchError(uri, `Status code is ${response.status}`);
    return response.arrayBuffer();
  },
};

const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i;

/** Tokens verified lately, with their scopes and expiry: a client reuses one for many requests. */
const VERIFIED_TOKENS_KEPT = 1000;

/**
 * One verifier per process: RS256 access tokens of the configured issuer and clients, signature
 * checked against the issuer's JWKS, which is fetched once and cached (an unknown key id fetches
 * it again at most every 10 s). `alg: none`, HS256 and every other forgery fail the signature.
 * A token that passed is remembered, by its exact text, until it expires, so a client's next
 * requests with it cost a lookup.
 */
export function createAuthorizer(settings: AuthSettings): Authorize {
  const verifier = JwtRsaVerifier.create(
    {
      issuer: settings.issuer,
      jwksUri: settings.jwksUri,
      audience: null,
      customJwtCheck: ({ payload }) => {
        if (payload.token_use !== "access") throw new Error("The token is not an access token");
        const clientId = typeof payload.client_id === "string" ? payload.client_id : "";
        if (!settings.clientIds.includes(clientId)) {
          throw new Error("The token was issued to a client picus does not know");
        }
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher }) },
  );
  const verified = new Map<string, { scopes: string[]; expiresAt: number }>();
  const scopesOf = async (token: string): Promise<string[]> => {
    const known = verified.get(token);
    if (known !== undefined && known.expiresAt > Date.now()) return known.scopes;
    const payload = await verifier.verify(token);
    const scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
    if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value ?? "");
    verified.set(token, { scopes, expiresAt: (payload.exp ?? 0) * 1000 });
    return scopes;
  };
  return async (authorization, scope) => {
    if (authorization === undefined) {
      throw new UnauthorizedError("This route needs a bearer token", false);
    }
    const token = BEARER.exec(authorization.trim())?.[1];
    if (token === undefined) {
      throw new UnauthorizedError("The Authorization header is not a bearer token", true);
    }
    let scopes: string[];
    try {
      scopes = await scopesOf(token);
    } catch (error) {
      if (error instanceof FetchError || error instanceof JwksNotAvailableInCacheError) {
        throw new IssuerUnavailableError(error);
      }
      const reason = error instanceof JwtBaseError || error instanceof Error ? error.message : "";
      throw new UnauthorizedError(`The token is not valid: ${reason}`, true);
    }
    if (!scopes.includes(scope)) throw new ForbiddenError(scope);
  };
}
