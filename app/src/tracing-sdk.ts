import type { IncomingMessage } from "node:http";
import { AwsInstrumentation } from "@opentelemetry/instrumentation-aws-sdk";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { NestInstrumentation } from "@opentelemetry/instrumentation-nestjs-core";
import { getNumberFromEnv, getStringFromEnv } from "@opentelemetry/core";
import { NodeSDK } from "@opentelemetry/sdk-node";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
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

/**
 * The service's OpenTelemetry SDK: spans of the HTTP server, Nest's handlers and DynamoDB calls,
 * continued from an incoming X-Ray or W3C trace header. Express's layer spans are left out:
 * Nest's name the same handler, and with them a request cost a third more CPU at 5 % sampling
 * (npm run bench, `traced`); requestMiddleware names the server span by its route instead.
 * Sampling and the exporter follow the standard variables (OTEL_TRACES_SAMPLER,
 * OTEL_TRACES_SAMPLER_ARG, OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT). Metrics are not
 * exported this way: they are in the log lines (lib/metrics.ts).
 */
export function startServiceTracing(options: ServiceTracingOptions = {}): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? "picus-api",
    spanProcessors: options.spanProcessors,
    metricReaders: [],
    logRecordProcessors: [],
    textMapPropagator: tracePropagator(sampleRatio()),
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
