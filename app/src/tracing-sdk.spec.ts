import { ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags, type Tracer } from "@opentelemetry/api";
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { FailedAndSampledTraces } from "./tracing-sdk";

describe("FailedAndSampledTraces", () => {
  function tracerKeeping(sampleRatio: number): { tracer: Tracer; sent: () => string[] } {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      sampler: new AlwaysOnSampler(),
      spanProcessors: [new FailedAndSampledTraces(new SimpleSpanProcessor(exporter), sampleRatio)],
    });
    return {
      tracer: provider.getTracer("test"),
      sent: () => exporter.getFinishedSpans().map((span) => span.name),
    };
  }

  /** A server span with a store call inside, ended child first as a request ends them. */
  function request(tracer: Tracer, name: string, storeFails = false, parent = ROOT_CONTEXT) {
    const server = tracer.startSpan(name, {}, parent);
    const store = tracer.startSpan(`${name} store`, {}, trace.setSpan(parent, server));
    if (storeFails) store.setStatus({ code: SpanStatusCode.ERROR });
    store.end();
    server.end();
  }

  it("sends every trace with a failed span, whole, and no other at ratio 0", () => {
    // Prepare
    const { tracer, sent } = tracerKeeping(0);

    // Act
    request(tracer, "ok");
    request(tracer, "failed", true);

    // Assess
    expect(sent()).toEqual(["failed store", "failed"]);
  });

  it("sends every trace at ratio 1", () => {
    const { tracer, sent } = tracerKeeping(1);
    request(tracer, "ok");
    expect(sent()).toEqual(["ok store", "ok"]);
  });

  it("follows the decision of a caller that sent one", () => {
    // Prepare
    const { tracer, sent } = tracerKeeping(0);
    const caller = (traceFlags: TraceFlags) =>
      trace.setSpanContext(ROOT_CONTEXT, {
        traceId: "5759e988bd862e3fe1be46a994272793",
        spanId: "53995c3f42cd8ad8",
        traceFlags,
        isRemote: true,
      });

    // Act
    request(tracer, "sampled", false, caller(TraceFlags.SAMPLED));
    request(tracer, "not sampled", false, caller(TraceFlags.NONE));

    // Assess
    expect(sent()).toEqual(["sampled store", "sampled"]);
  });
});
