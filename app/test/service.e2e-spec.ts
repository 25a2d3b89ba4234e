import { request as httpRequest } from "node:http";
import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { ALL_SCOPES } from "../../lib/testing/issuer";
import { rawExchange } from "./raw-request";
import { startStack, type TestApp } from "./test-app";

describe("service basics", () => {
  let stack: TestApp;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack.close();
  });

  it("GET /health answers 200 {status: ok}", async () => {
    const response = await stack.api.get("/health").expect(200);
    expect(response.body).toEqual({ status: "ok" });
  });

  it("GET /ready answers 200 when the table is there", async () => {
    const response = await stack.api.get("/ready").expect(200);
    expect(response.body).toEqual({ status: "ok" });
  });

  it.each([
    ["GET", "/nope"],
    ["GET", "/picus"],
    ["GET", "/picus/get"],
  ])("%s %s is a 404 with the error body", async (method, path) => {
    const response = await stack.api[method.toLowerCase() as "get"](path);
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: expect.any(String),
    });
  });

  it.each([
    ["POST", "/picus/list", "GET, HEAD"],
    ["PUT", "/picus/put", "POST"],
    ["POST", "/picus/get/3f1c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "GET, HEAD"],
    ["GET", "/picus/3f1c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "DELETE"],
    ["DELETE", "/health", "GET, HEAD"],
  ])("%s %s is a 405 with Allow: %s", async (method, path, allow) => {
    const response = await stack.api[method.toLowerCase() as "get"](path);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.body).toMatchObject({ statusCode: 405, error: "Method Not Allowed" });
  });

  it("quotes at most 120 characters of an unknown path", async () => {
    const response = await stack.api.get(`/${"x".repeat(12_000)}`).expect(404);
    expect(response.body.message.length).toBeLessThan(150);
  });

  it("400 for a request with two Host headers", async () => {
    const raw = await rawExchange(stack.url, "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain("more than one Host header");
  });

  it("marks API responses no-store and nosniff, and gives the docs page a content security policy", async () => {
    const responses = await Promise.all([
      stack.api.get("/health"),
      stack.api.get("/picus/list"),
      stack.api.get("/nope"),
    ]);
    for (const response of responses) {
      expect(response.headers["cache-control"]).toBe("no-store");
      expect(response.headers["x-content-type-options"]).toBe("nosniff");
    }
    const docs = await stack.api.get("/docs/").expect(200);
    expect(docs.headers["content-security-policy"]).toContain("default-src 'self'");
  });

  it("matches paths as the load balancer does: case-sensitively, without a trailing slash", async () => {
    const put = await stack.api
      .post("/picus/put")
      .set("Content-Type", "application/json")
      .send("{}")
      .expect(201);
    const key = (put.body as { key: string }).key;
    await stack.api.get(`/picus/get/${key}`).expect(200);

    for (const [method, path] of [
      ["GET", `/picus/get/${key}/`],
      ["GET", `/PICUS/get/${key}`],
      ["GET", `/picus/GET/${key}`],
      ["GET", "/picus/list/"],
      ["GET", "/Health"],
      ["GET", "/health/"],
      ["POST", "/picus/put/"],
      ["POST", "/PICUS/PUT"],
    ]) {
      const response = await stack.api[method.toLowerCase() as "get"](path)
        .set("Content-Type", "application/json")
        .send(method === "POST" ? "{}" : undefined);
      expect({ method, path, status: response.status, body: response.body }).toEqual({
        method,
        path,
        status: 404,
        body: { statusCode: 404, error: "Not Found", message: `Cannot ${method} "${path}"` },
      });
    }
  });

  describe("x-request-id", () => {
    it("echoes the caller's x-request-id", async () => {
      const response = await stack.api.get("/health").set("x-request-id", "abc-123");
      expect(response.headers["x-request-id"]).toBe("abc-123");
    });

    it("takes the last of repeated x-request-id headers, as the DELETE function does", async () => {
      const { hostname, port } = new URL(stack.url);
      const id = await new Promise<string | undefined>((resolve, reject) => {
        const headers = ["host", "x", "x-request-id", "first", "x-request-id", "second"];
        const req = httpRequest({ hostname, port, path: "/health", headers }, (res) => {
          res.resume();
          resolve(res.headers["x-request-id"] as string | undefined);
        });
        req.on("error", reject);
        req.end();
      });
      expect(id).toBe("second");
    });

    it("falls back to the load balancer's x-amzn-trace-id", async () => {
      const traceId = "Root=1-67891233-abcdef012345678912345678";
      const response = await stack.api.get("/nope").set("x-amzn-trace-id", traceId);
      expect(response.headers["x-request-id"]).toBe(traceId);
    });

    it("generates one when neither is given, also on errors", async () => {
      const responses = await Promise.all([
        stack.api.get("/health"),
        stack.api.post("/picus/put").set("Content-Type", "application/json").send("{"),
        stack.api.post("/picus/put").set("Content-Type", "text/plain").send("x"),
        stack.api.get("/picus/get/bad"),
      ]);
      const ids = responses.map((response) => response.headers["x-request-id"]);
      ids.forEach((id) => expect(id).toMatch(/^[0-9a-f-]{36}$/));
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("replaces an unusable x-request-id", async () => {
      const response = await stack.api.get("/health").set("x-request-id", "x".repeat(300));
      expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  // In AWS the load balancer refuses these before they reach a task; locally Node answers them.
  it.each([
    [
      "headers over 16 KiB",
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    ],
    [
      "a request line over 16 KiB",
      `GET /picus/get/${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
    ["a lower-case method", "delete /picus/x HTTP/1.1\r\nHost: x\r\n\r\n"],
    ["a garbled request line", "\x01\x02 nonsense\r\n\r\n"],
    ["an HTTP/1.1 request without Host", "GET /health HTTP/1.1\r\n\r\n"],
    ["a CONNECT request", "CONNECT /picus/list HTTP/1.1\r\nHost: x\r\n\r\n"],
  ])("answers %s with a 4xx or a closed connection, and keeps serving", async (_name, bytes) => {
    const raw = await rawExchange(stack.url, bytes);
    expect(raw === "" || /^HTTP\/1\.1 4\d\d /.test(raw)).toBe(true);
    await stack.api.get("/health").expect(200);
  });

  it("holds no socket after a flood of requests the parser rejects from clients that left", async () => {
    const server = stack.app.getHttpServer();
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    const before = await connections();
    const descriptors = () => readdirSync("/proc/self/fd").length;
    const descriptorsBefore = descriptors();
    const { port } = new URL(stack.url);
    const rejected = [
      "GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
      "FROB /health HTTP/1.1\r\nHost: x\r\n\r\n",
      "POST /picus/put HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
    ];
    const sendAndLeave = (bytes: string) =>
      new Promise<void>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1", () =>
          socket.write(bytes, () => {
            socket.destroy();
            resolve();
          }),
        );
        socket.on("error", () => resolve());
      });
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 200 }, (_, i) => sendAndLeave(rejected[i % 4])));
    }
    await sleep(1000);

    expect(await connections()).toBeLessThanOrEqual(before);
    expect(descriptors()).toBeLessThanOrEqual(descriptorsBefore + 2);
    await stack.api.get("/health").expect(200);
  });

  it("still serves a put sent with Expect: 100-continue", async () => {
    const raw = await rawExchange(
      stack.url,
      "POST /picus/put HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n" +
        `Authorization: Bearer ${stack.issuer.sign(ALL_SCOPES)}\r\n` +
        "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
      { halfClose: false },
    );
    expect(raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 Created\r\n/);
  });

  it("keeps idle connections longer than the ALB's 60 s, and requests at most 30 s", () => {
    const server = stack.app.getHttpServer();
    expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
    expect(server.headersTimeout).toBe(30_000);
    expect(server.requestTimeout).toBe(30_000);
  });

  it("cuts headers that trickle in slower than the request timeout with a 408", async () => {
    const server = stack.app.getHttpServer();
    const { headersTimeout, requestTimeout } = server;
    server.headersTimeout = 1_000;
    server.requestTimeout = 1_000;
    try {
      const started = Date.now();
      const raw = await rawExchange(stack.url, "GET /health HTTP/1.1\r\nHost: x\r\n", {
        halfClose: false,
      });
      expect(raw).toMatch(/^HTTP\/1\.1 408 /);
      expect(Date.now() - started).toBeLessThan(3_500);
    } finally {
      server.headersTimeout = headersTimeout;
      server.requestTimeout = requestTimeout;
    }
  });
});
