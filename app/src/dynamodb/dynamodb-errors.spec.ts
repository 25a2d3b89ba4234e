import {
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { StoreUnavailableError } from "../common/errors";
import { isValidationException, translateDynamoDbError } from "./dynamodb-errors";

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code, $metadata: { attempts: 3 } });
}

describe("translateDynamoDbError", () => {
  it.each([
    ["throttling", new ProvisionedThroughputExceededException({ $metadata: {}, message: "x" })],
    ["a server fault", new InternalServerError({ $metadata: {}, message: "x" })],
    ["a missing table", new ResourceNotFoundException({ $metadata: {}, message: "x" })],
    ["a refused connection", networkError("ECONNREFUSED")],
    ["a reset connection", Object.assign(new Error("reset"), { code: "ECONNRESET" })],
    ["a timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" })],
    ["an error without a response", Object.assign(new Error("?"), { $metadata: {} })],
    [
      "a 5xx response",
      Object.assign(new Error("bad gateway"), { $metadata: { httpStatusCode: 502 } }),
    ],
  ])("turns %s into StoreUnavailableError", (_name, error) => {
    const translated = translateDynamoDbError(error);
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect((translated as Error).cause).toBe(error);
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
    ["a programming error", new TypeError("x is undefined")],
    ["a non-error", "text"],
  ])("leaves %s alone", (_name, error) => {
    expect(translateDynamoDbError(error)).toBe(error);
  });

  it("recognises validation errors", () => {
    expect(isValidationException(Object.assign(new Error("x"), { name: "ValidationException" })));
    expect(isValidationException(new Error("x"))).toBe(false);
  });
});
