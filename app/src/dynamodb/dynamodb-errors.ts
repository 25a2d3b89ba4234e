import { StoreUnavailableError } from "../common/errors";

const UNAVAILABLE_ERROR_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "InternalServerError",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "ResourceNotFoundException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "AbortError",
]);

const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

interface SdkErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function fieldsOf(error: unknown): SdkErrorFields {
  return typeof error === "object" && error !== null ? error : {};
}

export function isValidationException(error: unknown): error is Error {
  return error instanceof Error && error.name === "ValidationException";
}

/**
 * The one place that decides which SDK failures mean "the store is unavailable right now":
 * failures without a response (network, timeouts), throttling, server faults and a missing table become a
 * StoreUnavailableError (503); anything else is returned unchanged for the caller to handle.
 */
export function translateDynamoDbError(error: unknown): unknown {
  const { name, code, message, $fault, $metadata } = fieldsOf(error);
  const status = $metadata?.httpStatusCode;
  // The SDK's retry layer stamps $metadata on everything it saw fail; no status means no response.
  const noResponse = typeof $metadata === "object" && $metadata !== null && status === undefined;
  const unavailable =
    noResponse ||
    (typeof name === "string" && UNAVAILABLE_ERROR_NAMES.has(name)) ||
    (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) ||
    $fault === "server" ||
    (typeof status === "number" && status >= 500);
  if (!unavailable) return error;
  const reason = typeof name === "string" ? name : "error";
  const detail = typeof message === "string" && message !== "" ? `: ${message}` : "";
  return new StoreUnavailableError(`DynamoDB is unavailable (${reason}${detail})`, {
    cause: error,
  });
}
