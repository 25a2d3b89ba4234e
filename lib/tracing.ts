import { CompositePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { AWSXRayIdGenerator } from "@opentelemetry/id-generator-aws-xray";
import { AWSXRayPropagator } from "@opentelemetry/propagator-aws-xray";

/**
 * Tracing is on when OTEL_TRACES_EXPORTER names an exporter (`otlp` in AWS, to the ADOT
 * collector at OTEL_EXPORTER_OTLP_ENDPOINT; `console` to print spans); unset or `none` leaves it
 * off, so that nothing is loaded or patched. OTEL_SDK_DISABLED=true turns it off too.
 */
export function tracingEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const exporters = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() ?? "";
  return exporters !== "" && exporters !== "none" && env.OTEL_SDK_DISABLED?.trim() !== "true";
}

/**
 * X-Ray's trace header (`X-Amzn-Trace-Id: Root=1-…;Parent=…;Sampled=1`, as the load balancer and
 * X-Ray clients send it) and W3C traceparent both continue a trace; X-Ray's ids (their first
 * eight hex digits the start time) let X-Ray index the traces the collector sends it.
 */
export const tracePropagator = () =>
  new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new AWSXRayPropagator()],
  });

export const traceIdGenerator = () => new AWSXRayIdGenerator();
