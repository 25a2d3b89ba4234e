import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { runSmoke, SmokeFailure } from "./run-smoke";

/**
 * Failure paths against a fake that answers like picus except where a test breaks one step; the
 * passing run is tested against the real local stack (smoke.e2e-spec.ts).
 */
const KEY = "0b6b6a4e-2d1e-4c4f-9a43-8f2f5e0f1c11";
const TOKEN = "every.scope.token";
const READ_ONLY = "read.only.token";

type Route = (res: ServerResponse, req: IncomingMessage, body: string) => void;

function send(res: ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

async function fake(overrides: Record<string, Route> = {}) {
  const calls: string[] = [];
  let stored: unknown;
  const routes: Record<string, Route> = {
    "GET /health": (res) => send(res, 200, { status: "ok" }),
    "POST /picus/put": (res, _req, body) => {
      stored = JSON.parse(body);
      send(res, 201, { key: KEY });
    },
    "GET /picus/get": (res) =>
      stored === undefined ? send(res, 404, {}) : send(res, 200, { key: KEY, data: stored }),
    "GET /picus/list": (res) => send(res, 200, { items: [{ key: KEY }], nextCursor: null }),
    "DELETE /picus": (res) => {
      stored = undefined;
      send(res, 204);
    },
    ...overrides,
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      calls.push(`${req.method} ${req.url}`);
      const path = `${req.method} ${req.url?.split("?")[0]}`;
      // Like picus: every /picus route needs a token; a read-only one may not write.
      const { authorization } = req.headers;
      const refuse = (status: number) => () => send(res, status, { statusCode: status });
      if (path.includes(" /picus") && authorization === undefined) {
        return (overrides.unauthenticated ?? refuse(401))(res, req, body);
      }
      if (path === "POST /picus/put" && authorization === `Bearer ${READ_ONLY}`) {
        return (overrides.readOnlyPut ?? refuse(403))(res, req, body);
      }
      const route = Object.keys(routes)
        .filter((prefix) => path === prefix || path.startsWith(`${prefix}/`))
        .sort((a, b) => b.length - a.length)[0];
      if (route === undefined) send(res, 404, {});
      else routes[route](res, req, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls };
}

async function failure(url: string, attempts = 2): Promise<string> {
  const run = runSmoke({
    baseUrl: url,
    token: TOKEN,
    readOnlyToken: READ_ONLY,
    readyTimeoutMs: 300,
    attempts,
    log: () => undefined,
  });
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SmokeFailure))
    throw new Error(`expected a SmokeFailure, got ${String(error)}`);
  return error.message;
}

describe("runSmoke failure paths", () => {
  it("fails when a request without a token is not refused", async () => {
    const { url } = await fake({ unauthenticated: (res) => send(res, 201, { key: KEY }) });

    expect(await failure(url)).toBe(
      `put without a token: POST /picus/put expected 401, got 201 {"key":"${KEY}"}`,
    );
  });

  it("fails when a read-only token may put", async () => {
    const { url } = await fake({ readOnlyPut: (res) => send(res, 201, { key: KEY }) });

    expect(await failure(url)).toBe(
      `put, read-only: POST /picus/put expected 403, got 201 {"key":"${KEY}"}`,
    );
  });

  it("gives up on /health after the readiness timeout and says what it last saw", async () => {
    const { url } = await fake({ "GET /health": (res) => send(res, 503, { status: "starting" }) });

    expect(await failure(url)).toBe(
      'health: not ready within 300 ms (last: 503 {"status":"starting"})',
    );
  });

  it("retries a 502/503/504 a bounded number of times, and nothing else", async () => {
    const { url, calls } = await fake({ "POST /picus/put": (res) => send(res, 503, {}) });

    expect(await failure(url, 3)).toBe("put: POST /picus/put expected 201, got 503 {}");
    // The two refused puts (no token, read-only), then three tries.
    expect(calls.filter((call) => call.startsWith("POST"))).toHaveLength(2 + 3);
  });

  it("detects data that does not round-trip and deletes the item it put", async () => {
    const { url, calls } = await fake({
      "GET /picus/get": (res) => send(res, 200, { key: KEY, data: { changed: true } }),
    });

    expect(await failure(url)).toMatch(/^get: .* is not what was put$/);
    expect(calls).toContain(`DELETE /picus/${KEY}`);
  });

  it("follows cursors to the end and fails when the item never appears", async () => {
    const { url, calls } = await fake({
      "GET /picus/list": (res, req) => {
        const page = Number(new URL(req.url ?? "", url).searchParams.get("cursor") ?? "0");
        send(res, 200, { items: [], nextCursor: page < 2 ? String(page + 1) : null });
      },
    });

    expect(await failure(url)).toBe(`list: item ${KEY} not found in 3 page(s)`);
    expect(calls).toContain("GET /picus/list?limit=100&cursor=2");
  });

  it("fails when delete does not answer 204", async () => {
    const { url } = await fake({ "DELETE /picus": (res) => send(res, 500, { statusCode: 500 }) });

    expect(await failure(url)).toBe(
      `delete: DELETE /picus/${KEY} expected 204, got 500 {"statusCode":500}`,
    );
  });

  it("fails when the item is still there after delete", async () => {
    const { url } = await fake({ "DELETE /picus": (res) => send(res, 204) });

    expect(await failure(url)).toMatch(
      /^get after delete: GET \/picus\/get\/.* expected 404, got 200/,
    );
  });
});
