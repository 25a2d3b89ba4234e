import { defaultTextMapGetter, ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { tracePropagator } from "./tracing";

const extract = (header: string, sampleRatio = 1) =>
  trace.getSpanContext(
    tracePropagator(sampleRatio).extract(
      ROOT_CONTEXT,
      { "x-amzn-trace-id": header },
      defaultTextMapGetter,
    ),
  );

describe("tracePropagator", () => {
  const loadBalancerHeader =
    "Self=1-67891233-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678";

  it("continues the load balancer's root, sampled at the service's ratio", () => {
    expect(extract(loadBalancerHeader)).toMatchObject({
      traceId: "67891233abcdef012345678912345678",
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(extract(loadBalancerHeader, 0)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it("keeps an X-Ray client's parent and decision", () => {
    expect(
      extract("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"),
    ).toMatchObject({
      traceId: "5759e988bd862e3fe1be46a994272793",
      spanId: "53995c3f42cd8ad8",
      traceFlags: TraceFlags.NONE,
    });
  });

  it.each([
    "",
    "Root=1-xyz",
    "Self=1-67891233-abcdef012345678912345678",
    "Root=2-67891233-abcdef012345678912345678",
  ])("starts a new trace for %j", (header) => {
    expect(extract(header)).toBeUndefined();
  });
});
