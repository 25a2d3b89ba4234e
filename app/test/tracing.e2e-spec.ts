import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { SpanKind } from "@opentelemetry/api";
import {
  LOAD_BALANCER_ROOT,
  X_RAY_PARENT,
  X_RAY_ROOT,
  type TracedRequests,
} from "./traced-requests";

/** Compiles TypeScript on require, as jest does (decorator metadata included), then runs argv[1]. */
const RUNNER = `
const Module = require("node:module");
const { readFileSync } = require("node:fs");
const { transformSync } = require("@swc/core");
Module._extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, "utf8"), {
    filename,
    jsc: {
      parser: { syntax: "typescript", decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: "es2023",
    },
    module: { type: "commonjs" },
  });
  module._compile(code, filename);
};
process.argv.splice(1, 1);
Module.runMain(process.argv[1]);
`;

describe("traces of the service", () => {
  let traced: TracedRequests;

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-e", RUNNER, "runner", join(__dirname, "traced-requests.ts")],
      { env: { PATH: process.env.PATH }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    traced = JSON.parse(stdout) as TracedRequests;
  }, 90_000);

  const traceOf = (traceId: string) => traced.spans.filter((span) => span.traceId === traceId);
  /** The service's server spans; the in-process dynalite's are named by method alone. */
  const serverSpans = () =>
    traced.spans.filter((span) => span.kind === SpanKind.SERVER && span.name === "POST /picus/put");

  it("follows a put from the HTTP server through Nest's handler to DynamoDB's PutItem", () => {
    // Prepare
    const [server] = serverSpans();
    const trace = traceOf(server.traceId);
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const ancestors = (span: (typeof trace)[number]) => {
      const chain: string[] = [];
      for (let at = span; at.parentSpanId !== undefined && byId.has(at.parentSpanId);) {
        at = byId.get(at.parentSpanId) ?? at;
        chain.push(at.name);
      }
      return chain;
    };

    // Assess
    expect(server.instrumentation).toBe("@opentelemetry/instrumentation-http");
    const handler = trace.find((span) => span.name === "ItemsController.put");
    const putItem = trace.find((span) => span.name === "DynamoDB.PutItem");
    expect(handler).toMatchObject({
      instrumentation: "@opentelemetry/instrumentation-nestjs-core",
    });
    expect(putItem).toMatchObject({ kind: SpanKind.CLIENT });
    expect(ancestors(putItem!)).toEqual(
      expect.arrayContaining(["put", "ItemsController.put", "POST /picus/put"]),
    );
    // X-Ray's ids begin with the time in seconds.
    const startedAt = parseInt(server.traceId.slice(0, 8), 16);
    expect(Math.abs(startedAt - Date.now() / 1000)).toBeLessThan(120);
  });

  it("continues the trace of an incoming X-Amzn-Trace-Id", () => {
    const continued = serverSpans()[1];
    expect(continued.traceId).toBe(X_RAY_ROOT.slice(2).replace("-", ""));
    expect(continued.parentSpanId).toBe(X_RAY_PARENT);
    expect(traceOf(continued.traceId).map((span) => span.name)).toContain("DynamoDB.PutItem");
  });

  it("continues the load balancer's trace id, which carries no parent", () => {
    const throughLoadBalancer = serverSpans()[2];
    expect(throughLoadBalancer.traceId).toBe(LOAD_BALANCER_ROOT.slice(2).replace("-", ""));
    expect(throughLoadBalancer.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
    expect(traceOf(throughLoadBalancer.traceId).map((span) => span.name)).toContain(
      "DynamoDB.PutItem",
    );
  });

  it("writes the trace id next to reqId on the request's log line", () => {
    const access = traced.logLines.filter((line) => "reqId" in line);
    expect(access.map((line) => line.traceId)).toEqual(
      serverSpans().map((span) => `1-${span.traceId.slice(0, 8)}-${span.traceId.slice(8)}`),
    );
  });
});
