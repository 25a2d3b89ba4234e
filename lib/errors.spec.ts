import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { clientErrorReason, isStoreUnavailable, storeFailureKind } from "./errors";

const withCode = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe("isStoreUnavailable", () => {
  it.each([
    ["throttling", new ProvisionedThroughputExceededException({ $metadata: {}, message: "x" })],
    ["a server fault", new InternalServerError({ $metadata: {}, message: "x" })],
    ["a missing table", new ResourceNotFoundException({ $metadata: {}, message: "x" })],
    ["a refused connection", withCode("ECONNREFUSED")],
    ["a reset connection", withCode("ECONNRESET")],
    ["a failed DNS lookup", withCode("ENOTFOUND")],
    ["every address refused", new AggregateError([withCode("ECONNREFUSED")], "all failed")],
    ["a request timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" })],
    ["an error without a response", Object.assign(new Error("?"), { $metadata: {} })],
    ["a 5xx response", Object.assign(new Error("502"), { $metadata: { httpStatusCode: 502 } })],
    ["an unnamed server fault", Object.assign(new Error("boom"), { $fault: "server" })],
  ])("is true for %s", (_case, error) => {
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it.each([
    [
      "a validation error",
      new DynamoDBServiceException({
        name: "ValidationException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
        message: "bad",
      }),
    ],
    ["a client fault", Object.assign(new Error("no"), { $fault: "client" })],
    ["a programming error", new TypeError("x is undefined")],
    ["a non-error", "ECONNREFUSED"],
  ])("is false for %s", (_case, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
  });
});

describe("storeFailureKind", () => {
  it.each([
    ["conditional", new ConditionalCheckFailedException({ $metadata: {}, message: "x" })],
    ["throttled", new ProvisionedThroughputExceededException({ $metadata: {}, message: "x" })],
    ["unavailable", withCode("ECONNREFUSED")],
    ["other", new TypeError("x is undefined")],
  ])("is %s", (kind, error) => {
    expect(storeFailureKind(error)).toBe(kind);
  });
});

describe("clientErrorReason", () => {
  it("names each 4xx the service answers and nothing else", () => {
    expect([400, 401, 403, 404, 405, 409, 413, 415, 422, 200, 503].map(clientErrorReason)).toEqual([
      "validation",
      "auth",
      "auth",
      "not-found",
      "method",
      "conflict",
      "too-large",
      "validation",
      "validation",
      undefined,
      undefined,
    ]);
  });
});
