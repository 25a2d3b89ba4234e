import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createAuthorizer } from "../lib/auth";
import { ForbiddenError } from "../lib/errors";
import { freePort } from "../lib/free-port";
import { SCOPES } from "../lib/routes";
import { LOCAL_CLIENT_ID, localIssuer } from "../local/token-issuer";
import { main, type ClientCredentials } from "./token";

const ROOT = resolve(__dirname, "..");
const servers: Server[] = [];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "picus-token-"));
});
afterEach(async () => {
  servers.splice(0).forEach((server) => server.close());
  await rm(dir, { recursive: true, force: true });
});

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function token(argv: string[], env: Record<string, string> = {}, client?: ClientCredentials) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    env,
    keyFile: join(dir, "key.pem"),
    readCredentials: (stack) =>
      client ? Promise.resolve(client) : Promise.reject(new Error(`no stack ${stack}`)),
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err: err.join("\n") };
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString()) as Record<string, unknown>;

describe("npm run -s token (local stack)", () => {
  /** The local stack's issuer on `port`, with the key file the command signs with. */
  async function authorizerOnPort(port: number) {
    const issuer = localIssuer(`http://127.0.0.1:${port}`, join(dir, "key.pem"));
    await listen((req, res) => issuer.serveJwks(req, res, () => res.writeHead(404).end()), port);
    return createAuthorizer({ ...issuer, clientIds: [LOCAL_CLIENT_ID] });
  }

  it("signs a token the local stack on PORT accepts, for the scopes asked", async () => {
    const port = await freePort();
    const { code, out } = await token(["picus/read"], { PORT: String(port) });
    const authorize = await authorizerOnPort(port);

    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    await expect(authorize(`Bearer ${out[0]}`, SCOPES.read)).resolves.toBeUndefined();
    await expect(authorize(`Bearer ${out[0]}`, SCOPES.write)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it("grants every scope when none is named, for --ttl seconds", async () => {
    const port = await freePort();
    const { out } = await token(["--ttl", "90"], { PORT: String(port) });
    const authorize = await authorizerOnPort(port);

    for (const scope of Object.values(SCOPES)) {
      await expect(authorize(`Bearer ${out[0]}`, scope)).resolves.toBeUndefined();
    }
    const { iat, exp } = claims(out[0]) as { iat: number; exp: number };
    expect(exp - iat).toBe(90);
  });

  it.each([
    [["picus/admin"], /unknown scope or option: picus\/admin/],
    [["--ttl", "soon"], /--ttl takes whole seconds/],
    [["--stack", "dev", "--ttl", "60"], /--ttl is for local tokens/],
    [["--stack"], /--stack takes a name/],
  ])("exits 2 with the usage on %j", async (argv, message) => {
    const { code, out, err } = await token(argv);

    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toMatch(message);
    expect(err).toContain("usage: npm run -s token --");
  });

  it("prints nothing but the token on stdout, as `npm run -s token` runs it", async () => {
    const port = await freePort();
    const tsx = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
    const child = spawn(process.execPath, ["--import", tsx, join(ROOT, "scripts", "token.ts")], {
      cwd: dir,
      env: { PATH: process.env.PATH, PORT: String(port) },
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));

    expect(code).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  }, 20_000);
});

describe("npm run -s token -- --stack <stack>", () => {
  async function tokenEndpoint(status: number, body: object) {
    const requests: { authorization?: string; type?: string; body: string }[] = [];
    const url = await listen((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString()));
      req.on("end", () => {
        requests.push({
          authorization: req.headers.authorization,
          type: req.headers["content-type"],
          body: text,
        });
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
    });
    const client = { tokenUrl: `${url}/oauth2/token`, clientId: "abc123", clientSecret: "s3cr3t" };
    return { client, requests };
  }

  it("asks the stack's token endpoint with the smoke client's credentials and prints the token", async () => {
    const { client, requests } = await tokenEndpoint(200, {
      access_token: "header.payload.signature",
      token_type: "Bearer",
      expires_in: 3600,
    });

    const { code, out } = await token(["picus/read", "--stack", "dev"], {}, client);

    expect({ code, out }).toEqual({ code: 0, out: ["header.payload.signature"] });
    expect(requests).toEqual([
      {
        authorization: `Basic ${Buffer.from("abc123:s3cr3t").toString("base64")}`,
        type: "application/x-www-form-urlencoded",
        body: "grant_type=client_credentials&scope=picus%2Fread",
      },
    ]);
  });

  it("exits 1 with the endpoint's answer when it refuses", async () => {
    const { client } = await tokenEndpoint(400, { error: "invalid_scope" });

    const { code, out, err } = await token(["--stack", "dev"], {}, client);

    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err).toBe('no token: the token endpoint answered 400: {"error":"invalid_scope"}');
  });

  it("exits 1 when the token endpoint does not answer", async () => {
    const port = await freePort();
    const client = {
      tokenUrl: `http://127.0.0.1:${port}/oauth2/token`,
      clientId: "a",
      clientSecret: "b",
    };

    const { code, err } = await token(["--stack", "prod"], {}, client);

    expect(code).toBe(1);
    expect(err).toMatch(
      /^no token: the token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth2\/token did not answer/,
    );
  });
});
