import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { albBridge } from "./alb-bridge";

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

  beforeAll(async () => {
    server = createServer((req, res) => {
      albBridge(async (event) => answer(event))(req, res, () => {
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
    });
    expect(event.multiValueHeaders).toBeUndefined();
    expect(event.headers).toMatchObject({
      "x-request-id": "second",
      "content-type": "application/json",
      "x-amzn-trace-id": expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
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

  it("writes the result's status, headers and body", async () => {
    // Prepare
    const results: ALBResult[] = [
      {
        statusCode: 404,
        statusDescription: "404 Not Found",
        headers: { "x-request-id": "r-1", "content-type": "application/json" },
        body: '{"statusCode":404}',
      },
    ];
    answer = () => Promise.resolve(results.shift() as ALBResult);

    // Act
    const notFound = await send(url, "DELETE", "/picus/k");

    // Assess
    expect(notFound.status).toBe(404);
    expect(notFound.headers).toMatchObject({
      "x-request-id": "r-1",
      "content-type": "application/json",
    });
    expect(notFound.body.toString()).toBe('{"statusCode":404}');
  });

  it("answers 502 when the function fails, as the load balancer does", async () => {
    // Prepare
    answer = () => Promise.reject(new Error("crash"));

    // Act
    const response = await send(url, "DELETE", "/picus/k");

    // Assess
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body.toString())).toMatchObject({ statusCode: 502 });
  });
});
