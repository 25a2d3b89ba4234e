import { resolveRequestId } from "./request-id";

const GENERATED = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("resolveRequestId", () => {
  it("prefers the caller's x-request-id", () => {
    expect(resolveRequestId({ "x-request-id": "abc", "x-amzn-trace-id": "Root=1-2-3" })).toBe(
      "abc",
    );
  });

  it("falls back to the load balancer's trace id", () => {
    expect(resolveRequestId({ "x-amzn-trace-id": "Root=1-2-3" })).toBe("Root=1-2-3");
  });

  it("takes the last of repeated headers, as the DELETE function does", () => {
    expect(resolveRequestId({ "x-request-id": ["first", "second"] })).toBe("second");
    expect(resolveRequestId({ "x-amzn-trace-id": ["Root=1-2-3", "Root=1-4-5"] })).toBe(
      "Root=1-4-5",
    );
  });

  it.each([
    [{}],
    [{ "x-request-id": "" }],
    [{ "x-request-id": "has space" }],
    [{ "x-request-id": "x".repeat(201) }],
    [{ "x-request-id": "bad\u00e9" }],
  ])("generates a UUID for %j", (headers) => {
    expect(resolveRequestId(headers)).toMatch(GENERATED);
  });
});
