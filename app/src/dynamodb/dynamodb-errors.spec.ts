import {
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
} from "@aws-sdk/client-dynamodb";
import { StoreUnavailableError } from "../common/errors";
import { isValidationException, translateDynamoDbError } from "./dynamodb-errors";

// Which failures count as "unavailable" is specified in lib/dynamo-errors.spec.ts.
describe("translateDynamoDbError", () => {
  it("wraps an unavailable store in StoreUnavailableError, keeping the cause", () => {
    const error = new ProvisionedThroughputExceededException({ $metadata: {}, message: "slow" });

    const translated = translateDynamoDbError(error);

    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect((translated as Error).message).toBe(
      "DynamoDB is unavailable (ProvisionedThroughputExceededException: slow)",
    );
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
    expect(
      isValidationException(Object.assign(new Error("x"), { name: "ValidationException" })),
    ).toBe(true);
    expect(isValidationException(new Error("x"))).toBe(false);
  });
});
