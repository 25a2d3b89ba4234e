import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
  TraceFlags,
} from "@opentelemetry/api";
import { CompositePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { AWSXRayIdGenerator } from "@opentelemetry/id-generator-aws-xray";
import { AWSXRAY_TRACE_ID_HEADER, AWSXRayPropagator } from "@opentelemetry/propagator-aws-xray";
import { SamplingDecision, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import { traceHeaderRoot } from "./trace-header";

/**
 * X-Ray's propagator continues `Root=…;Parent=…;Sampled=…` only. The load balancer's own header
 * is `Root=…` (with `Self=…`), no parent and no sampling decision: without this, every request
 * through it would start an unrelated trace. Such a request keeps the load balancer's trace id
 * (the one in its access log), under a fresh parent id, and is sampled at the service's ratio.
 */
class LoadBalancerTracePropagator implements TextMapPropagator {
  private readonly xray = new AWSXRayPropagator();
  private readonly sampler: TraceIdRatioBasedSampler;

  constructor(sampleRatio: number) {
    this.sampler = new TraceIdRatioBasedSampler(sampleRatio);
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.xray.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const continued = this.xray.extract(context, carrier, getter);
    if (continued !== context) return continued;
    const header = getter.get(carrier, AWSXRAY_TRACE_ID_HEADER);
    const root = traceHeaderRoot(Array.isArray(header) ? header[0] : header);
    if (root === undefined) return context;
    const traceId = root.slice(2).replace("-", "");
    const { decision } = this.sampler.shouldSample(context, traceId);
    return trace.setSpanContext(context, {
      traceId,
      spanId: new AWSXRayIdGenerator().generateSpanId(),
      traceFlags:
        decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });
  }

  fields(): string[] {
    return this.xray.fields();
  }
}

/**
 * X-Ray's trace header (as X-Ray clients and the load balancer send it) and W3C traceparent both
 * continue a trace; X-Ray's ids (their first eight hex digits the start time) let X-Ray index the
 * traces the collector sends it.
 */
export const tracePropagator = (sampleRatio: number) =>
  new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new LoadBalancerTracePropagator(sampleRatio)],
  });

export const traceIdGenerator = () => new AWSXRayIdGenerator();
