import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConsoleLogger, Logger } from "@nestjs/common";
import express, { type Response } from "express";
import type { LogLevel } from "../../../lib/config";
import { createLogger } from "../../../lib/logger";
import { accessLogMiddleware, PinoLoggerService } from "./logging";
import { requestMiddleware } from "./request.middleware";

type LogLine = Record<string, unknown>;

function captureLogs(level: LogLevel): { service: PinoLoggerService; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = { write: (line: string) => lines.push(JSON.parse(line) as LogLine) };
  return { service: new PinoLoggerService(createLogger(level, destination)), lines };
}

describe("PinoLoggerService", () => {
  it("writes pino's shape with Nest's context", () => {
    const { service, lines } = captureLogs("info");
    service.log("Nest application successfully started", "NestApplication");
    expect(lines).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        pid: process.pid,
        hostname: expect.any(String),
        context: "NestApplication",
        msg: "Nest application successfully started",
      },
    ]);
  });

  it("maps Nest's levels to pino's and leaves out disabled ones", () => {
    const { service, lines } = captureLogs("debug");
    service.verbose("v");
    service.debug("d");
    service.log("l");
    service.warn("w");
    service.error("e");
    service.fatal("f");
    expect(lines.map(({ level, msg }) => [level, msg])).toEqual([
      [20, "d"],
      [30, "l"],
      [40, "w"],
      [50, "e"],
      [60, "f"],
    ]);
  });

  it("merges an object message and takes the next string as msg", () => {
    const { service, lines } = captureLogs("info");
    Logger.overrideLogger(service);
    new Logger("Filter").warn({ reqId: "r-1", statusCode: 503 }, "failed");
    Logger.overrideLogger(new ConsoleLogger());
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        context: "Filter",
        reqId: "r-1",
        statusCode: 503,
        msg: "failed",
      }),
    ]);
  });

  it("serialises an Error message as err, and Nest's (message, stack) pair too", () => {
    const { service, lines } = captureLogs("info");
    service.error(new Error("boom"), undefined, "ExceptionsHandler");
    service.error("bad thing", "Error: bad thing\n    at somewhere (file.js:1:1)", "Loader");
    service.error("no context", "Error: no context\n    at somewhere (file.js:1:1)");
    expect(lines).toEqual([
      expect.objectContaining({
        context: "ExceptionsHandler",
        err: expect.objectContaining({ type: "Error", message: "boom" }),
        msg: "boom",
      }),
      expect.objectContaining({
        context: "Loader",
        err: {
          type: "Error",
          message: "bad thing",
          stack: "Error: bad thing\n    at somewhere (file.js:1:1)",
        },
        msg: "bad thing",
      }),
      expect.objectContaining({
        err: expect.objectContaining({ message: "no context" }),
        msg: "no context",
      }),
    ]);
    expect(lines[2]).not.toHaveProperty("context");
  });

  it("keeps extra arguments under details", () => {
    const { service, lines } = captureLogs("info");
    service.log("counted", 3, "Ctx");
    expect(lines).toEqual([
      expect.objectContaining({ context: "Ctx", details: [3], msg: "counted" }),
    ]);
  });
});

describe("accessLogMiddleware", () => {
  let server: Server | undefined;

  afterEach(async () => {
    if (server !== undefined) await new Promise((done) => server?.close(done));
    server = undefined;
  });

  async function serve(
    level: LogLevel,
    handler: (res: Response) => void,
  ): Promise<{ url: string; lines: LogLine[]; closeListeners: number[] }> {
    const { service, lines } = captureLogs(level);
    const closeListeners: number[] = [];
    const app = express();
    app.use(requestMiddleware);
    app.use(accessLogMiddleware(service.pino));
    app.use((_req, res) => {
      closeListeners.push(res.listenerCount("close"));
      handler(res);
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((done) => server?.once("listening", done));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, lines, closeListeners };
  }

  async function until(condition: () => boolean): Promise<void> {
    for (let waited = 0; !condition() && waited < 2_000; waited += 10) {
      await new Promise((done) => setTimeout(done, 10));
    }
  }

  it("writes one info line per request, without headers, with its metrics", async () => {
    const { url, lines } = await serve("info", (res) => res.status(201).json({ ok: true }));
    const response = await fetch(`${url}/picus/put?x=1`, {
      method: "POST",
      headers: { "x-request-id": "access-1", authorization: "Bearer secret" },
    });
    expect(response.status).toBe(201);
    await until(() => lines.length > 0);
    expect(lines).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        pid: process.pid,
        hostname: expect.any(String),
        reqId: "access-1",
        req: { method: "POST", url: "/picus/put?x=1" },
        res: { statusCode: 201 },
        responseTime: expect.any(Number),
        msg: "request completed",
        _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: expect.any(Array) },
        Service: "api",
        Route: "POST /picus/put",
        StatusClass: "2xx",
        Requests: 1,
        Latency: expect.any(Number),
      },
    ]);
  });

  it("says request errored for a 5xx", async () => {
    const { url, lines } = await serve("info", (res) => res.status(503).json({}));
    await fetch(url);
    await until(() => lines.length > 0);
    expect(lines).toEqual([
      expect.objectContaining({ res: { statusCode: 503 }, msg: "request errored" }),
    ]);
  });

  it("says request aborted when the client goes away first", async () => {
    const { url, lines } = await serve("info", () => undefined);
    const client = httpRequest(url);
    client.on("error", () => undefined);
    client.end();
    await new Promise((done) => setTimeout(done, 100));
    client.destroy();
    await until(() => lines.length > 0);
    expect(lines).toEqual([expect.objectContaining({ msg: "request aborted" })]);
  });

  it("adds no listener and writes nothing when info is off", async () => {
    const quiet = await serve("warn", (res) => res.json({}));
    await fetch(quiet.url);
    await new Promise((done) => server?.close(done));
    server = undefined;

    const loud = await serve("info", (res) => res.json({}));
    await fetch(loud.url);
    await until(() => loud.lines.length > 0);

    expect(quiet.lines).toEqual([]);
    expect(loud.closeListeners[0] - quiet.closeListeners[0]).toBe(1);
  });
});
