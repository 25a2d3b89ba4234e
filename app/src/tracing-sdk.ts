import type { IncomingMessage } from "node:http";
import { AwsInstrumentation } from "@opentelemetry/instrumentation-aws-sdk";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { NestInstrumentation } from "@opentelemetry/instrumentation-nestjs-core";
import { type Context, ROOT_CONTEXT, SpanStatusCode, TraceFlags } from "@opentelemetry/api";
import { getNumberFromEnv, getStringFromEnv } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { NodeSDK } from "@opentelemetry/sdk-node";
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type ReadableSpan,
  SamplingDecision,
  type Span,
  type SpanProcessor,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { HEALTH_CHECK_PATH } from "../../lib/routes";
import { traceIdGenerator, tracePropagator } from "../../lib/tracing";

const UNTRACED_PATHS = new Set([HEALTH_CHECK_PATH, "/ready"]);

export interface ServiceTracingOptions {
  /** Where spans go instead of the exporter OTEL_TRACES_EXPORTER names (tests). */
  spanProcessors?: SpanProcessor[];
}

/** The share of new traces OTEL_TRACES_SAMPLER keeps, for traces the load balancer starts. */
function sampleRatio(): number {
  const sampler = getStringFromEnv("OTEL_TRACES_SAMPLER") ?? "parentbased_always_on";
  if (sampler.endsWith("always_off")) return 0;
  if (sampler.endsWith("traceidratio")) return getNumberFromEnv("OTEL_TRACES_SAMPLER_ARG") ?? 1;
  return 1;
}

/** Traces whose local root has not ended yet; past this, the oldest is given up. */
const MAX_OPEN_TRACES = 10_000;

/**
 * Sends every trace in which a span failed (a 5xx, a store call that threw) and, of the others,
 * those the sampling ratio keeps, or the caller's decision when the trace came with one. Spans
 * wait until the span that began the trace in this process ends, so every span is recorded and
 * only the kept traces pay for export.
 */
export class FailedAndSampledTraces implements SpanProcessor {
  private readonly open = new Map<string, ReadableSpan[]>();
  private readonly sampler: TraceIdRatioBasedSampler;

  constructor(
    private readonly next: SpanProcessor,
    sampleRatio: number,
  ) {
    this.sampler = new TraceIdRatioBasedSampler(sampleRatio);
  }

  onStart(span: Span, context: Context): void {
    this.next.onStart(span, context);
  }

  onEnd(span: ReadableSpan): void {
    const { traceId } = span.spanContext();
    const spans = this.open.get(traceId) ?? [];
    spans.push(span);
    const parent = span.parentSpanContext;
    if (parent !== undefined && !parent.isRemote) {
      this.open.set(traceId, spans);
      if (this.open.size > MAX_OPEN_TRACES) this.open.delete(this.open.keys().next().value!);
      return;
    }
    this.open.delete(traceId);
    const sampled =
      parent === undefined
        ? this.sampler.shouldSample(ROOT_CONTEXT, traceId).decision ===
          SamplingDecision.RECORD_AND_SAMPLED
        : (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
    if (sampled || spans.some((each) => each.status.code === SpanStatusCode.ERROR)) {
      for (const each of spans) this.next.onEnd(each);
    }
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/** The exporter OTEL_TRACES_EXPORTER names: `otlp` (to the collector) or `console`. */
function exportingProcessor(): SpanProcessor {
  const exporter = getStringFromEnv("OTEL_TRACES_EXPORTER");
  if (exporter === "console") return new SimpleSpanProcessor(new ConsoleSpanExporter());
  if (exporter === "otlp") return new BatchSpanProcessor(new OTLPTraceExporter());
  throw new Error(`OTEL_TRACES_EXPORTER=${exporter}: picus exports to otlp or console`);
}

/**
 * The service's OpenTelemetry SDK: spans of the HTTP server, Nest's handlers and DynamoDB calls,
 * continued from an incoming X-Ray or W3C trace header. Express's layer spans are left out:
 * Nest's name the same handler, and with them a request cost a third more CPU at 5 % sampling
 * (npm run bench, `traced`); requestMiddleware names the server span by its route instead.
 * Every request is recorded; OTEL_TRACES_SAMPLER (+ _ARG) chooses which traces are sent besides
 * the failed ones (see FailedAndSampledTraces). OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_ENDPOINT
 * say where. Metrics are not exported this way: they are in the log lines (lib/metrics.ts).
 */
export function startServiceTracing(options: ServiceTracingOptions = {}): NodeSDK {
  const ratio = sampleRatio();
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? "picus-api",
    sampler: new AlwaysOnSampler(),
    spanProcessors: (options.spanProcessors ?? [exportingProcessor()]).map(
      (processor) => new FailedAndSampledTraces(processor, ratio),
    ),
    metricReaders: [],
    logRecordProcessors: [],
    textMapPropagator: tracePropagator(ratio),
    idGenerator: traceIdGenerator(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) =>
          UNTRACED_PATHS.has(req.url?.split("?")[0] ?? ""),
        // The service's outgoing calls are DynamoDB's and the token issuer's keys; the first
        // have their own spans, and wrapping every request costs CPU for nothing.
        disableOutgoingRequestInstrumentation: true,
      }),
      new NestInstrumentation(),
      new AwsInstrumentation({ suppressInternalInstrumentation: true }),
    ],
  });
  sdk.start();
  return sdk;
}
