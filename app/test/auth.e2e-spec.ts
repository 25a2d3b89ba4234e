import request from "supertest";
import { REFUSED_TOKEN_KINDS, refusedTokens } from "../../lib/testing/issuer";
import { startStack, UNKNOWN_KEY, type TestApp } from "./test-app";

describe("restricted access to the service's routes", () => {
  let stack: TestApp;
  let key: string;

  beforeAll(async () => {
    stack = await startStack();
    key = String((await stack.api.post("/picus/put").send({ kept: true }).expect(201)).body.key);
  });

  afterAll(async () => {
    await stack.close();
  });

  const routes = [
    { name: "list", send: (r: request.Agent) => r.get("/picus/list"), scope: "picus/read" },
    {
      name: "get",
      send: (r: request.Agent) => r.get(`/picus/get/${UNKNOWN_KEY}`),
      scope: "picus/read",
    },
    {
      name: "put",
      send: (r: request.Agent) => r.post("/picus/put").send({ a: 1 }),
      scope: "picus/write",
    },
  ];

  function as(token?: string): request.Agent {
    const agent = request.agent(stack.url);
    return token === undefined ? agent : agent.set("authorization", `Bearer ${token}`);
  }

  it.each(routes.map((route) => [route.name, route]))(
    "%s: 401 without a token, with WWW-Authenticate and the error body",
    async (_name, route) => {
      const response = await route.send(as());
      expect(response.status).toBe(401);
      expect(response.headers["www-authenticate"]).toBe('Bearer realm="picus"');
      expect(response.body).toMatchObject({ statusCode: 401, error: "Unauthorized" });
    },
  );

  it.each(
    routes.flatMap((route) =>
      REFUSED_TOKEN_KINDS.map((kind) => [route.name, kind, route] as const),
    ),
  )("%s: 401 for a token that is %s", async (_name, kind, route) => {
    const response = await route.send(as(refusedTokens(stack.issuer)[kind]));
    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toContain('error="invalid_token"');
  });

  it("401 for an Authorization header that is not a bearer token", async () => {
    const response = await request(stack.url).get("/picus/list").set("authorization", "Basic dTpw");
    expect(response.status).toBe(401);
  });

  it.each(routes.map((route) => [route.name, route]))(
    "%s: 403 with a token without its scope, and 2xx/404 with it",
    async (_name, route) => {
      const others = ["picus/read", "picus/write", "picus/delete"].filter((s) => s !== route.scope);
      const forbidden = await route.send(as(stack.issuer.sign(others)));
      const allowed = await route.send(as(stack.issuer.sign([route.scope])));
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers["www-authenticate"]).toContain(`scope="${route.scope}"`);
      expect([200, 201, 404]).toContain(allowed.status);
    },
  );

  it("stores nothing on a 401 or 403 put, and keeps /health open", async () => {
    const before = (await stack.api.get("/picus/list?limit=100").expect(200)).body.items.length;
    await as().post("/picus/put").send({ sneaky: true }).expect(401);
    await as(stack.issuer.sign(["picus/read"]))
      .post("/picus/put")
      .send({ sneaky: true })
      .expect(403);
    const after = (await stack.api.get("/picus/list?limit=100").expect(200)).body.items.length;
    expect(after).toBe(before);
    await request(stack.url).get("/health").expect(200);
    await stack.api.get(`/picus/get/${key}`).expect(200);
  });
});
