import { isStoreUnavailable } from "../../../lib/dynamo-errors";
import { StoreUnavailableError } from "../common/errors";

export function isValidationException(error: unknown): error is Error {
  return error instanceof Error && error.name === "ValidationException";
}

/**
 * Failures that mean "the store is unavailable right now" (lib/dynamo-errors.ts decides which)
 * become a StoreUnavailableError (503); anything else is returned unchanged for the caller.
 */
export function translateDynamoDbError(error: unknown): unknown {
  if (!isStoreUnavailable(error)) return error;
  const { name, message } = error as { name?: unknown; message?: unknown };
  const reason = typeof name === "string" ? name : "error";
  const detail = typeof message === "string" && message !== "" ? `: ${message}` : "";
  return new StoreUnavailableError(`DynamoDB is unavailable (${reason}${detail})`, {
    cause: error,
  });
}
