import { SCOPES } from "../../lib/routes";
import { clientCredentialsToken, TokenError } from "../token";
import { runSmoke, SmokeFailure } from "./run-smoke";

const USAGE = `usage: npm run smoke -- <base-url>   (e.g. http://localhost:3000)
tokens: SMOKE_TOKEN (every scope) and optionally SMOKE_READ_TOKEN (picus/read only), or
        SMOKE_TOKEN_URL, SMOKE_CLIENT_ID and SMOKE_CLIENT_SECRET to ask a token endpoint for both`;

type Env = Readonly<Record<string, string | undefined>>;

/** The tokens from the environment, or from the token endpoint with the client's credentials. */
async function tokens(env: Env): Promise<{ token: string; readOnlyToken?: string } | undefined> {
  if (env.SMOKE_TOKEN) return { token: env.SMOKE_TOKEN, readOnlyToken: env.SMOKE_READ_TOKEN };
  const { SMOKE_TOKEN_URL: tokenUrl, SMOKE_CLIENT_ID: clientId } = env;
  const clientSecret = env.SMOKE_CLIENT_SECRET;
  if (!tokenUrl || !clientId || !clientSecret) return undefined;
  const client = { tokenUrl, clientId, clientSecret };
  const [token, readOnlyToken] = await Promise.all([
    clientCredentialsToken(client, Object.values(SCOPES)),
    clientCredentialsToken(client, [SCOPES.read]),
  ]);
  return { token, readOnlyToken };
}

/** `npm run smoke -- <base-url>`: exit 0 when every check passes, 1 on a failed check, 2 on bad usage. */
async function main([baseUrl, ...rest]: string[], env: Env): Promise<number> {
  const readyTimeoutMs = Number(env.SMOKE_READY_TIMEOUT_MS ?? 120_000);
  if (baseUrl === undefined || rest.length > 0 || !/^https?:\/\//.test(baseUrl)) {
    console.error(USAGE);
    return 2;
  }
  if (!Number.isInteger(readyTimeoutMs) || readyTimeoutMs <= 0) {
    console.error("SMOKE_READY_TIMEOUT_MS must be a positive whole number of milliseconds");
    return 2;
  }
  try {
    const auth = await tokens(env);
    if (auth === undefined) {
      console.error(`no token given\n${USAGE}`);
      return 2;
    }
    await runSmoke({ baseUrl, readyTimeoutMs, ...auth });
    console.log(`smoke test passed against ${baseUrl}`);
    return 0;
  } catch (error: unknown) {
    if (!(error instanceof SmokeFailure || error instanceof TokenError)) throw error;
    const step = error instanceof TokenError ? "token: " : "";
    console.error(`smoke test FAILED at ${step}${error.message}`);
    return 1;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error("smoke test crashed:", error);
    process.exitCode = 1;
  },
);
