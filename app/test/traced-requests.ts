/**
 * Run in a child process by tracing.e2e-spec.ts: instrumentation patches modules as Node's
 * require loads them, which jest's module registry bypasses. Starts tracing into memory, then
 * the real app over dynalite, sends the requests, and prints the spans and log lines as JSON.
 */
import type { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import pino from "pino";
import { startServiceTracing } from "../src/tracing-sdk";

export const X_RAY_ROOT = "1-5759e988-bd862e3fe1be46a994272793";
export const X_RAY_PARENT = "53995c3f42cd8ad8";
/** The header as the load balancer forwards it: its own trace id, no parent, no decision. */
export const LOAD_BALANCER_ROOT = "1-67891233-abcdef012345678912345678";

export interface TracedRequests {
  spans: {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    name: string;
    kind: SpanKind;
    attributes: Record<string, unknown>;
    instrumentation: string;
  }[];
  logLines: Record<string, unknown>[];
}

async function main(): Promise<void> {
  const exporter = new InMemorySpanExporter();
  const sdk = startServiceTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const { startStack } = await import("./test-app");
  const { PinoLoggerService } = await import("../src/common/logging");
  const stack = await startStack();
  const logLines: Record<string, unknown>[] = [];
  const logger = stack.app.get(PinoLoggerService).pino;
  logger.level = "info";
  (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = {
    write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>),
  };
  await stack.api.post("/picus/put").send({ traced: true }).expect(201);
  await stack.api
    .post("/picus/put")
    .set("x-amzn-trace-id", `Root=${X_RAY_ROOT};Parent=${X_RAY_PARENT};Sampled=1`)
    .send({ continued: true })
    .expect(201);
  await stack.api
    .post("/picus/put")
    .set("x-amzn-trace-id", `Self=1-67891233-12456789abcdef012345678;Root=${LOAD_BALANCER_ROOT}`)
    .send({ throughTheLoadBalancer: true })
    .expect(201);
  await new Promise((resolve) => setTimeout(resolve, 100));
  await stack.close();
  const spans = exporter.getFinishedSpans().map((span) => ({
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind,
    attributes: span.attributes,
    instrumentation: span.instrumentationScope.name,
  }));
  await sdk.shutdown();
  process.stdout.write(JSON.stringify({ spans, logLines } satisfies TracedRequests));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
