import pino from "pino";
import { emfMetrics, emfProblems } from "../../lib/testing/emf";
import { PinoLoggerService } from "../src/common/logging";
import { startStack, UNKNOWN_KEY, type TestApp } from "./test-app";

type LogLine = Record<string, unknown>;

/** The app's lines from now on, at info, as CloudWatch Logs would receive them. */
function captureLines(testApp: TestApp): LogLine[] {
  const lines: LogLine[] = [];
  const logger = testApp.app.get(PinoLoggerService).pino;
  logger.level = "info";
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = {
    write: (line: string) => lines.push(JSON.parse(line) as LogLine),
  };
  return lines;
}

describe("request metrics in embedded metric format", () => {
  let stack: TestApp & { close(): Promise<void> };
  let lines: LogLine[];

  beforeAll(async () => {
    stack = await startStack();
    lines = captureLines(stack);
  });

  afterAll(() => stack.close());

  /** The access line of the one request `send` makes, once its response has closed. */
  async function accessLineOf(send: () => Promise<unknown>): Promise<LogLine> {
    lines.splice(0);
    await send();
    for (let waited = 0; waited < 50 && !lines.some((line) => "Route" in line); waited++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const access = lines.filter((line) => "Route" in line);
    expect(access).toHaveLength(1);
    expect(emfProblems(access[0])).toEqual([]);
    return access[0];
  }

  it("publishes a put's count, latency, store latency and item size", async () => {
    // Act
    const line = await accessLineOf(() => stack.api.post("/picus/put").send({ a: 1 }).expect(201));

    // Assess
    expect(line).toMatchObject({
      reqId: expect.any(String),
      _aws: { Timestamp: expect.any(Number) },
      Service: "api",
      Route: "POST /picus/put",
      StatusClass: "2xx",
      Requests: 1,
      Latency: expect.any(Number),
      StoreLatency: [expect.any(Number)],
      ItemBytes: expect.any(Number),
    });
    expect(emfMetrics(line)).toEqual({
      Requests: [["Service", "Route", "StatusClass"]],
      Latency: [["Service", "Route", "StatusClass"]],
      StoreLatency: [["Service"]],
      ItemBytes: [["Service"]],
    });
    expect((line._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics).toEqual(
      expect.arrayContaining([expect.objectContaining({ Namespace: "picus" })]),
    );
  });

  it("names a get of an unknown key by its route template and counts it as not-found", async () => {
    // Act
    const line = await accessLineOf(() => stack.api.get(`/picus/get/${UNKNOWN_KEY}`).expect(404));

    // Assess
    expect(line).toMatchObject({
      Route: "GET /picus/get/{key}",
      StatusClass: "4xx",
      Reason: "not-found",
      ClientErrors: 1,
      StoreLatency: [expect.any(Number)],
    });
    expect(JSON.stringify(line._aws)).not.toContain(UNKNOWN_KEY);
    expect(emfMetrics(line)).toMatchObject({ ClientErrors: [["Service", "Reason"]] });
  });

  it("counts a request without a token as auth, with no store call", async () => {
    // Act
    const line = await accessLineOf(() =>
      stack.api.get("/picus/list").set("authorization", "").expect(401),
    );

    // Assess
    expect(line).toMatchObject({ Route: "GET /picus/list", StatusClass: "4xx", Reason: "auth" });
    expect(line).not.toHaveProperty("StoreLatency");
  });

  it("gives a path no route matches one Route value, and a wrong method the reason method", async () => {
    const unknown = await accessLineOf(() => stack.api.get("/picus/nowhere/at/all").expect(404));
    const wrongMethod = await accessLineOf(() => stack.api.patch("/picus/put").expect(405));
    expect(unknown).toMatchObject({ Route: "unmatched", Reason: "not-found" });
    expect(wrongMethod).toMatchObject({ Route: "unmatched", Reason: "method" });
  });
});
