import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { runSmoke, SmokeFailure, type SmokeOptions } from "./run-smoke";

/**
 * A tiny in-process HTTP server that answers like picus except where a test breaks one step.
 * It is used only for failure paths: the passing run is tested against the real local stack.
 */
type Route = (req: IncomingMessage, body: string, res: ServerResponse) => void;

interface FakeApi {
  routes: Record<string, Route>;
  items: Map<string, { key: string; data: unknown; createdAt: string }>;
  calls: string[];
}

const KEY = "0b6b6a4e-2d1e-4c4f-9a43-8f2f5e0f1c11";

function json(res: ServerResponse, status: number, body?: unknown) {
  res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function defaultRoutes(api: FakeApi): Record<string, Route> {
  return {
    "GET /health": (_req, _body, res) => json(res, 200, { status: "ok" }),
    "POST /picus/put": (_req, body, res) => {
      const data: unknown = JSON.parse(body);
      api.items.set(KEY, { key: KEY, data, createdAt: new Date().toISOString() });
      json(res, 201, { key: KEY });
    },
    "GET /picus/get": (req, _body, res) => {
      const item = api.items.get(req.url?.split("/").pop() ?? "");
      if (item === undefined) json(res, 404, { statusCode: 404, error: "Not Found", message: "x" });
      else json(res, 200, item);
    },
    "GET /picus/list": (_req, _body, res) =>
      json(res, 200, { items: [...api.items.values()], nextCursor: null }),
    "DELETE /picus": (req, _body, res) => {
      api.items.delete(req.url?.split("/").pop() ?? "");
      json(res, 204);
    },
  };
}

async function startFake(
  override: (api: FakeApi) => Record<string, Route> = () => ({}),
): Promise<{ url: string; api: FakeApi; server: Server }> {
  const api: FakeApi = { routes: {}, items: new Map(), calls: [] };
  api.routes = { ...defaultRoutes(api), ...override(api) };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const path = (req.url ?? "").split("?")[0];
      api.calls.push(`${req.method} ${req.url}`);
      const name = Object.keys(api.routes)
        .filter((route) => {
          const [method, prefix] = route.split(" ");
          return method === req.method && (path === prefix || path.startsWith(`${prefix}/`));
        })
        .sort((a, b) => b.length - a.length)[0];
      if (name === undefined) json(res, 404, { statusCode: 404 });
      else api.routes[name](req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, api, server };
}

const FAST: Partial<SmokeOptions> = {
  readyTimeoutMs: 300,
  requestTimeoutMs: 500,
  attempts: 2,
  retryDelayMs: 10,
  log: () => undefined,
};

async function failureOf(url: string, extra: Partial<SmokeOptions> = {}): Promise<SmokeFailure> {
  try {
    await runSmoke({ ...FAST, ...extra, baseUrl: url });
  } catch (error: unknown) {
    if (error instanceof SmokeFailure) return error;
    throw error;
  }
  throw new Error("the smoke run passed but was expected to fail");
}

describe("runSmoke failure paths (fake server)", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((server) => {
        server.closeAllConnections();
        return new Promise((resolve) => server.close(resolve));
      }),
    );
  });

  async function fake(override?: (api: FakeApi) => Record<string, Route>) {
    const started = await startFake(override);
    servers.push(started.server);
    return started;
  }

  it("gives up on /health within the readiness timeout and says what it last saw", async () => {
    const { url } = await fake(() => ({
      "GET /health": (_req, _body, res) => json(res, 503, { statusCode: 503 }),
    }));

    const started = Date.now();
    const failure = await failureOf(url);

    expect(failure.step).toBe("health");
    expect(failure.message).toContain("HTTP 503");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fails on a connection refused with a bounded wait", async () => {
    const { url, server } = await fake();
    await new Promise((resolve) => server.close(resolve));

    const failure = await failureOf(url);

    expect(failure.step).toBe("health");
    expect(failure.message).toMatch(/within 300 ms/);
  });

  it("times out a request that never answers", async () => {
    const { url } = await fake(() => ({ "POST /picus/put": () => undefined }));

    const started = Date.now();
    const failure = await failureOf(url, { requestTimeoutMs: 150 });

    expect(failure.step).toBe("put");
    expect(failure.message).toContain("failed after 2 attempt(s)");
    expect(failure.message).toContain("TimeoutError");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("retries a 503 only a bounded number of times", async () => {
    const { url, api } = await fake(() => ({
      "POST /picus/put": (_req, _body, res) => json(res, 503, { statusCode: 503 }),
    }));

    const failure = await failureOf(url, { attempts: 3 });

    expect(failure.message).toBe(
      'put: POST /picus/put failed after 3 attempt(s): HTTP 503 {"statusCode":503}',
    );
    expect(api.calls.filter((call) => call.startsWith("POST"))).toHaveLength(3);
  });

  it("rejects a put that does not return a UUID key", async () => {
    const { url } = await fake(() => ({
      "POST /picus/put": (_req, _body, res) => json(res, 201, { key: "not-a-uuid" }),
    }));

    const failure = await failureOf(url);

    expect(failure.step).toBe("put");
    expect(failure.message).toContain('expected {"key": <uuid v4>}');
  });

  it("rejects an unexpected status on put and shows the body", async () => {
    const { url } = await fake(() => ({
      "POST /picus/put": (_req, _body, res) => json(res, 400, { message: "bad body" }),
    }));

    const failure = await failureOf(url);

    expect(failure.message).toBe(
      'put: POST /picus/put returned 400, expected 201: {"message":"bad body"}',
    );
  });

  it("detects data that does not round-trip and cleans the item up", async () => {
    const { url, api } = await fake((state) => ({
      "GET /picus/get": (_req, _body, res) =>
        json(res, 200, { ...state.items.get(KEY), data: { changed: true } }),
    }));

    const failure = await failureOf(url);

    expect(failure.step).toBe("get");
    expect(failure.message).toContain("item does not match what was put");
    expect(api.calls).toContain(`DELETE /picus/${KEY}`);
    expect(api.items.size).toBe(0);
  });

  it("follows cursors to the end and fails when the item never appears", async () => {
    const { url, api } = await fake(() => ({
      "GET /picus/list": (req, _body, res) => {
        const page = Number(new URL(req.url ?? "", "http://x").searchParams.get("cursor") ?? "0");
        json(res, 200, { items: [], nextCursor: page < 2 ? String(page + 1) : null });
      },
    }));

    const failure = await failureOf(url);

    expect(failure.message).toBe(
      `list: item ${KEY} not found after following 3 page(s) to the end`,
    );
    expect(api.calls).toEqual(
      expect.arrayContaining([
        "GET /picus/list?limit=100",
        "GET /picus/list?limit=100&cursor=1",
        "GET /picus/list?limit=100&cursor=2",
      ]),
    );
  });

  it("stops on a cursor that does not advance", async () => {
    const { url } = await fake(() => ({
      "GET /picus/list": (_req, _body, res) => json(res, 200, { items: [], nextCursor: "same" }),
    }));

    const failure = await failureOf(url);

    expect(failure.message).toBe("list: nextCursor did not advance on page 2");
  });

  it("rejects a list response of the wrong shape", async () => {
    const { url } = await fake(() => ({
      "GET /picus/list": (_req, _body, res) => json(res, 200, [{ key: KEY }]),
    }));

    const failure = await failureOf(url);

    expect(failure.step).toBe("list");
    expect(failure.message).toContain('expected {"items": [...], "nextCursor": string | null}');
  });

  it("fails when delete does not return 204", async () => {
    const { url } = await fake(() => ({
      "DELETE /picus": (_req, _body, res) => json(res, 500, { statusCode: 500 }),
    }));

    const failure = await failureOf(url);

    expect(failure.message).toBe(
      `delete: DELETE /picus/${KEY} returned 500, expected 204: {"statusCode":500}`,
    );
  });

  it("fails when the item is still there after delete", async () => {
    const { url } = await fake(() => ({
      "DELETE /picus": (_req, _body, res) => json(res, 204),
    }));

    const failure = await failureOf(url);

    expect(failure.step).toBe("get after delete");
    expect(failure.message).toContain("returned 200, expected 404");
  });

  it("rejects a base URL that is not http(s)", async () => {
    const failure = await failureOf("ftp://example.com");

    expect(failure.message).toBe("arguments: base URL must be http(s), got ftp://example.com");
  });
});
