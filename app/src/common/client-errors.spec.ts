import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rawExchange } from "../../test/raw-request";
import { createRootLogger } from "./logging";
import { answerClientErrors } from "./client-errors";

type LogLine = Record<string, unknown>;

describe("answerClientErrors", () => {
  let server: Server;
  let lines: LogLine[];
  /** The status each response held when it closed, as the access-log middleware reads it. */
  let closedWith: number[];

  beforeEach(async () => {
    lines = [];
    closedWith = [];
    const destination = { write: (line: string) => lines.push(JSON.parse(line) as LogLine) };
    // Answers once the whole body has arrived, a little later, as a DynamoDB call would. It sets
    // no req.id, like a handler mounted before requestIdMiddleware (the local ALB bridge).
    server = createServer((req, res) => {
      res.on("close", () => closedWith.push(res.statusCode));
      req.resume();
      req.on("end", () => setTimeout(() => res.end(`reached the handler ${req.url}`), 20));
    });
    answerClientErrors(server, createRootLogger("info", destination));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function exchange(bytes: string): Promise<{ status: number; requestId: string }> {
    const { port } = server.address() as AddressInfo;
    const head = (await rawExchange(`http://127.0.0.1:${port}`, bytes)).split("\r\n\r\n", 1)[0];
    return {
      status: Number(head.split(" ")[1]),
      requestId: /\r\nx-request-id: (\S+)/i.exec(head)?.[1] ?? "",
    };
  }

  it("logs one access line for a request the parser rejects, with the id it answered", async () => {
    const { status, requestId } = await exchange("\x01\x02 nonsense\r\n\r\n");
    expect(status).toBe(400);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: "request rejected",
        reqId: requestId,
        res: { statusCode: 400 },
        reason: expect.stringMatching(/^The request was rejected: Parse Error/),
      }),
    ]);
    expect(lines[0]).not.toHaveProperty("req");
  });

  it("answers a bad chunk in a body in flight with that request's id and no second line", async () => {
    const { status, requestId } = await exchange(
      "POST /picus/put HTTP/1.1\r\nHost: x\r\nx-request-id: chunk-1\r\n" +
        "Transfer-Encoding: chunked\r\n\r\nZZ\r\n",
    );
    expect({ status, requestId }).toEqual({ status: 400, requestId: "chunk-1" });
    expect(lines).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(closedWith).toEqual([400]);
  });

  it("answers requests pipelined before a bad one first, then rejects it under a new id", async () => {
    const { port } = server.address() as AddressInfo;
    const get = (path: string, id: string) =>
      `GET ${path} HTTP/1.1\r\nHost: x\r\nx-request-id: ${id}\r\n\r\n`;
    const raw = await rawExchange(
      `http://127.0.0.1:${port}`,
      get("/one", "q1") + get("/two", "q2") + get("/three", "q3") + "GARBAGE\r\n\r\n",
      { halfClose: false },
    );

    const statuses = [...raw.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]);
    expect(statuses).toEqual(["200", "200", "200", "400"]);
    expect(raw.indexOf("reached the handler /one")).toBeLessThan(raw.indexOf("/two"));
    expect(raw.indexOf("reached the handler /three")).toBeLessThan(raw.indexOf("HTTP/1.1 400"));
    const rejectedId = /HTTP\/1\.1 400[^]*?x-request-id: (\S+)/i.exec(raw)?.[1];
    expect(["q1", "q2", "q3"]).not.toContain(rejectedId);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: "request rejected",
        reqId: rejectedId,
        res: { statusCode: 400 },
      }),
    ]);
  });

  it("answers nothing and logs nothing when the client goes away in the middle of a body", async () => {
    const { port } = server.address() as AddressInfo;
    const raw = await rawExchange(
      `http://127.0.0.1:${port}`,
      'POST /picus/put HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    expect(raw).toBe("");
    expect(lines).toEqual([]);
  });

  it("logs the method and target of a CONNECT request", async () => {
    const { status, requestId } = await exchange(
      "CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    expect(status).toBe(405);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: "request rejected",
        reqId: requestId,
        req: { method: "CONNECT", url: "example.com:443" },
        res: { statusCode: 405 },
      }),
    ]);
  });

  it("answers an Expect it cannot meet with a JSON 417, the caller's request id and a log line", async () => {
    const { port } = server.address() as AddressInfo;
    const raw = await rawExchange(
      `http://127.0.0.1:${port}`,
      "POST /picus/put HTTP/1.1\r\nHost: x\r\nExpect: something\r\nx-request-id: exp-1\r\n" +
        "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
    );
    const [head, body] = raw.split("\r\n\r\n", 2);

    expect(head).toMatch(/^HTTP\/1\.1 417 /);
    expect(head.toLowerCase()).toContain("content-type: application/json");
    expect(head.toLowerCase()).toContain("x-request-id: exp-1");
    expect(JSON.parse(body)).toEqual({
      statusCode: 417,
      error: "Expectation Failed",
      message: "Only the expectation 100-continue is supported",
    });
    expect(lines).toEqual([
      expect.objectContaining({
        msg: "request rejected",
        reqId: "exp-1",
        req: { method: "POST", url: "/picus/put" },
        res: { statusCode: 417 },
      }),
    ]);
  });

  it("writes nothing when info is off", async () => {
    server.removeAllListeners("clientError");
    server.removeAllListeners("connect");
    server.removeAllListeners("checkExpectation");
    answerClientErrors(server, createRootLogger("warn", { write: () => lines.push({}) }));
    expect((await exchange("\x01\x02 nonsense\r\n\r\n")).status).toBe(400);
    expect(lines).toEqual([]);
  });
});
