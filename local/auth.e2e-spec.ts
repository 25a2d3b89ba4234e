import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REFUSED_TOKEN_KINDS, refusedTokens } from "../lib/testing/issuer";
import { startLocalStack, type LocalStack } from "./local-stack";
import { ALL_SCOPES } from "./token-issuer";

// DELETE is answered by the function behind the local origin's routing, as on the load balancer.
describe("restricted access to DELETE through the function on the local origin", () => {
  let dataDir: string;
  let stack: LocalStack;

  beforeAll(async () => {
    process.env.LOG_LEVEL = "silent";
    dataDir = await mkdtemp(join(tmpdir(), "picus-auth-"));
    stack = await startLocalStack({ port: 0, dataDir });
  });

  afterAll(async () => {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const send = (method: string, path: string, token?: string) =>
    fetch(`${stack.url}${path}`, {
      method,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      ...(method === "POST" && { body: '{"kept":true}' }),
    });

  async function put(): Promise<string> {
    const created = await fetch(`${stack.url}/picus/put`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${stack.issuer.sign(ALL_SCOPES)}`,
        "content-type": "application/json",
      },
      body: '{"kept":true}',
    });
    return ((await created.json()) as { key: string }).key;
  }

  it.each(["none", ...REFUSED_TOKEN_KINDS] as const)(
    "401 for the token kind %s, and the item stays",
    async (kind) => {
      const key = await put();
      const token = kind === "none" ? undefined : refusedTokens(stack.issuer)[kind];
      const response = await send("DELETE", `/picus/${key}`, token);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="picus"/);
      const kept = await send("GET", `/picus/get/${key}`, stack.issuer.sign(ALL_SCOPES));
      expect(kept.status).toBe(200);
    },
  );

  it("403 with a token without picus/delete, and 204 with it", async () => {
    const key = await put();
    const forbidden = await send(
      "DELETE",
      `/picus/${key}`,
      stack.issuer.sign(["picus/read", "picus/write"]),
    );
    const deleted = await send("DELETE", `/picus/${key}`, stack.issuer.sign(["picus/delete"]));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("www-authenticate")).toContain('scope="picus/delete"');
    expect(deleted.status).toBe(204);
  });
});
