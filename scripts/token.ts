/**
 * Prints a bearer token on stdout: signed with the local stack's key for the issuer `npm start`
 * runs on the same PORT, or with `--stack` from that stack's Cognito token endpoint for its smoke
 * client (docs/delivery.md).
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import { portVariable } from "../lib/config";
import { ALL_SCOPES, localIssuer } from "../local/token-issuer";

const USAGE =
  "usage: npm run -s token -- [picus/read|picus/write|picus/delete …] [--ttl <seconds>] [--stack <stack>]";

/** A token could not be had; the message says why. */
export class TokenError extends Error {}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const stackOutputs = z
  .object({
    tokenUrl: z.url({ protocol: /^https?$/ }),
    smokeClientId: z.string().min(1),
    smokeClientSecret: z.string().min(1),
  })
  .transform(({ tokenUrl, smokeClientId, smokeClientSecret }) => ({
    tokenUrl,
    clientId: smokeClientId,
    clientSecret: smokeClientSecret,
  }));

/** A client of a token endpoint that may use the client credentials grant. */
export type ClientCredentials = z.output<typeof stackOutputs>;

/** The smoke client's credentials from `pulumi stack output` (the CLI, with the caller's access). */
export async function readStackCredentials(stack: string): Promise<ClientCredentials> {
  const { stdout } = await promisify(execFile)(
    "pulumi",
    ["stack", "output", "--json", "--show-secrets", "--stack", stack],
    { maxBuffer: 1 << 20 },
  ).catch((error: unknown) => {
    throw new TokenError(`pulumi stack output --stack ${stack} failed: ${String(error)}`);
  });
  const outputs = stackOutputs.safeParse(parseJson(stdout));
  if (outputs.success) return outputs.data;
  throw new TokenError(`stack ${stack} has no token endpoint or smoke client in its outputs`);
}

/** An access token from the OAuth 2.0 client credentials grant (RFC 6749 §4.4, Basic client auth). */
export async function clientCredentialsToken(
  client: ClientCredentials,
  scopes: readonly string[],
): Promise<string> {
  const basic = [client.clientId, client.clientSecret].map(encodeURIComponent).join(":");
  const response = await fetch(client.tokenUrl, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(basic).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: scopes.join(" ") }),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => {
    throw new TokenError(`the token endpoint ${client.tokenUrl} did not answer: ${String(error)}`);
  });
  const text = await response.text();
  const token = z.object({ access_token: z.string().min(1) }).safeParse(parseJson(text));
  if (!response.ok || !token.success) {
    throw new TokenError(`the token endpoint answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return token.data.access_token;
}

export interface TokenDeps {
  env: Readonly<Record<string, string | undefined>>;
  /** Where the local stack keeps its signing key. */
  keyFile: string;
  readCredentials: (stack: string) => Promise<ClientCredentials>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Parses the arguments, prints the token; returns the exit code (2 on bad usage). */
export async function main(argv: string[], deps: TokenDeps): Promise<number> {
  const usage = (problem: string) => {
    deps.err(`${problem}\n${USAGE}`);
    return 2;
  };
  const scopes: string[] = [];
  let ttl: string | undefined;
  let stack: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === "--ttl") ttl = argv[++i] ?? "";
    else if (arg === "--stack") stack = argv[++i] ?? "";
    else if ((ALL_SCOPES as readonly string[]).includes(arg)) scopes.push(arg);
    else return usage(`unknown scope or option: ${arg}`);
  }
  if (ttl !== undefined && !/^[1-9]\d*$/.test(ttl)) return usage("--ttl takes whole seconds");
  if (stack !== undefined && !/^[a-z][a-z0-9-]*$/.test(stack)) return usage("--stack takes a name");
  if (stack !== undefined && ttl !== undefined) {
    return usage("--ttl is for local tokens: the stack's app client sets the lifetime");
  }
  const wanted = scopes.length > 0 ? scopes : ALL_SCOPES;
  try {
    if (stack === undefined) {
      const port = portVariable.parse(deps.env.PORT);
      const issuer = localIssuer(`http://127.0.0.1:${port}`, deps.keyFile);
      deps.out(issuer.sign(wanted, { ttlSeconds: ttl === undefined ? undefined : Number(ttl) }));
    } else {
      deps.out(await clientCredentialsToken(await deps.readCredentials(stack), wanted));
    }
    return 0;
  } catch (error: unknown) {
    if (error instanceof z.ZodError) return usage(`PORT is invalid: ${error.issues[0]?.message}`);
    if (!(error instanceof TokenError)) throw error;
    deps.err(`no token: ${error.message}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    env: process.env,
    keyFile: resolve(".data", "local-issuer-key.pem"),
    readCredentials: readStackCredentials,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error("token crashed:", error);
      process.exitCode = 1;
    },
  );
}
