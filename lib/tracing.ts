import { CompositePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { AWSXRayIdGenerator } from "@opentelemetry/id-generator-aws-xray";
import { AWSXRayPropagator } from "@opentelemetry/propagator-aws-xray";

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
