import { resolveRequestId } from "./request-id";

const TRACE_ID = "Root=1-6745a3c1-0123456789abcdef01234567";

describe("resolveRequestId", () => {
  it("prefers the caller's x-request-id, the last one when repeated", () => {
    expect(resolveRequestId({ "x-request-id": "req-1", "x-amzn-trace-id": TRACE_ID })).toBe(
      "req-1",
    );
    expect(resolveRequestId({ "x-request-id": ["first", "last"] })).toBe("last");
  });

  it("falls back to the load balancer's trace id", () => {
    expect(resolveRequestId({ "x-amzn-trace-id": TRACE_ID })).toBe(TRACE_ID);
  });

  it("generates a UUID when neither header is usable", () => {
    // Act
    const id = resolveRequestId({ "x-request-id": "has spaces", "x-amzn-trace-id": "" });

    // Assess
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
