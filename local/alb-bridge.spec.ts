import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rawExchange } from "../app/test/raw-request";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { albBridge, type AlbBridgeOptions } from "./alb-bridge";

interface RawResponse {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function send(
  url: string,
  method: string,
  path: string,
  headers: [string, string][] = [],
  body?: Buffer | string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const length: [string, string][] =
      body === undefined ? [] : [["content-length", String(Buffer.byteLength(body))]];
    // Raw headers keep repeats and case; host and length must then be given explicitly.
    const raw = [["host", new URL(url).host], ...length, ...headers].flat();
    const req = request(`${url}${path}`, { method, headers: raw }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? "",
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("albBridge", () => {
  let server: Server;
  let url: string;
  let events: ALBEvent[];
  let answer: (event: ALBEvent) => Promise<ALBResult>;
  let options: AlbBridgeOptions;

  beforeAll(async () => {
    // As the service's server: Host-less requests reach the handlers (answerClientErrors).
    server = createServer({ requireHostHeader: false }, (req, res) => {
      albBridge(async (event) => answer(event), options)(req, res, () => {
        res.statusCode = 418;
        res.end("next");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  beforeEach(() => {
    events = [];
    options = {};
    answer = (event) => {
      events.push(event);
      return Promise.resolve({ statusCode: 204, statusDescription: "204 No Content", body: "" });
    };
  });

  it("passes requests outside the route on", async () => {
    // Act
    const responses = [await send(url, "GET", "/picus/abc"), await send(url, "DELETE", "/other")];

    // Assess
    expect(responses.map((response) => response.status)).toEqual([418, 418]);
    expect(events).toEqual([]);
  });

  it("routes an absolute-form request target by its path, as the load balancer does", async () => {
    // Prepare
    const { hostname, port } = new URL(url);

    // Act
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { hostname, port, method: "DELETE", path: "http://picus.example/picus/k?x=1" },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end();
    });

    // Assess
    expect(status).toBe(204);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ path: "/picus/k", queryStringParameters: { x: "1" } });
  });

  it("builds a single-value ALB event: raw path and query, last values, ALB headers", async () => {
    // Act
    await send(
      url,
      "DELETE",
      "/picus/a%2Fb/c?x=1&x=%20two&flag",
      [
        ["X-Request-Id", "first"],
        ["X-Request-Id", "second"],
        ["Content-Type", "application/json"],
      ],
      '{"ignored":true}',
    );

    // Assess
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      httpMethod: "DELETE",
      path: "/picus/a%2Fb/c",
      queryStringParameters: { x: "%20two", flag: "" },
      body: '{"ignored":true}',
      isBase64Encoded: false,
      requestContext: { elb: { targetGroupArn: expect.stringContaining("targetgroup/") } },
    });
    expect(event.multiValueHeaders).toBeUndefined();
    expect(event.headers).toMatchObject({
      "x-request-id": "second",
      "content-type": "application/json",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-proto": "http",
      "x-amzn-trace-id": expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    });
  });

  it("builds a multi-value event when the target group has multi-value headers", async () => {
    // Prepare
    options = { multiValueHeaders: true };

    // Act
    await send(url, "DELETE", "/picus/k?x=1&x=2", [
      ["x-amzn-trace-id", "Root=1-abc"],
      ["Accept", "a"],
      ["Accept", "b"],
    ]);

    // Assess
    const [event] = events;
    expect(event.headers).toBeUndefined();
    expect(event.multiValueQueryStringParameters).toEqual({ x: ["1", "2"] });
    expect(event.multiValueHeaders).toMatchObject({
      accept: ["a", "b"],
      "x-amzn-trace-id": ["Root=1-abc"],
    });
  });

  it("base64-encodes a binary body", async () => {
    // Prepare
    const bytes = Buffer.from([0, 1, 254, 255]);

    // Act
    await send(url, "DELETE", "/picus/k", [["content-type", "application/octet-stream"]], bytes);

    // Assess
    expect(events[0]).toMatchObject({ body: bytes.toString("base64"), isBase64Encoded: true });
  });

  it("writes the result: status line, single or multi-value headers, base64 body", async () => {
    // Prepare
    const results: ALBResult[] = [
      {
        statusCode: 404,
        statusDescription: "404 Not Found",
        headers: { "x-request-id": "r-1", "content-type": "application/json" },
        body: '{"statusCode":404}',
      },
      {
        statusCode: 200,
        statusDescription: "200 OK",
        multiValueHeaders: { "set-cookie": ["a=1", "b=2"] },
        body: Buffer.from("binary").toString("base64"),
        isBase64Encoded: true,
      },
    ];
    answer = () => Promise.resolve(results.shift() as ALBResult);

    // Act
    const notFound = await send(url, "DELETE", "/picus/k");
    const ok = await send(url, "DELETE", "/picus/k");

    // Assess
    expect(notFound).toMatchObject({ status: 404, statusMessage: "Not Found" });
    expect(notFound.headers).toMatchObject({
      "x-request-id": "r-1",
      "content-type": "application/json",
    });
    expect(notFound.body.toString()).toBe('{"statusCode":404}');
    expect(ok.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(ok.body.toString()).toBe("binary");
  });

  it("answers 413 to a body larger than ALB passes to Lambda", async () => {
    // Prepare
    options = { maxBodyBytes: 10 };

    // Act
    const response = await send(url, "DELETE", "/picus/k", [], "x".repeat(11));

    // Assess
    expect(response.status).toBe(413);
    expect(response.headers).toMatchObject({ server: "awselb/2.0", "content-type": "text/html" });
    expect(response.headers).not.toHaveProperty("x-request-id");
    expect(response.body.toString()).toContain("<h1>413 Payload Too Large</h1>");
    expect(events).toEqual([]);
  });

  it("answers 400 like ALB to an HTTP/1.1 request without Host", async () => {
    // Act
    const raw = await rawExchange(url, "DELETE /picus/k HTTP/1.1\r\n\r\n");

    // Assess
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw.toLowerCase()).toContain("server: awselb/2.0");
    expect(events).toEqual([]);
  });

  it("answers 502 like ALB when the function fails", async () => {
    // Prepare
    answer = () => Promise.reject(new Error("crash"));

    // Act
    const response = await send(url, "DELETE", "/picus/k");

    // Assess
    expect(response.status).toBe(502);
    expect(response.headers).toMatchObject({ server: "awselb/2.0", "content-type": "text/html" });
    expect(response.body.toString()).toContain("<h1>502 Bad Gateway</h1>");
  });
});
