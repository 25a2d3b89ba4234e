/** What a client is told, by the service and the DELETE function alike, when the store is unavailable. */
export const STORE_UNAVAILABLE_MESSAGE = "The data store is unavailable; try again shortly";

/** SDK error names that mean "the store cannot serve this right now; retry later". */
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
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  errors?: unknown;
}

/**
 * The one decision, shared by the service and the function, of which DynamoDB failures mean the
 * store is unavailable (a 503): no response at all (network errors, timeouts), throttling, server
 * faults and a missing table. Duck-typed, because Node's network errors may come from another
 * realm than this code's `Error`, and a connection to several addresses fails as an AggregateError.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $fault, $metadata, errors } = error as SdkErrorFields;
  const status = $metadata?.httpStatusCode;
  // The SDK's retry layer stamps $metadata on everything it saw fail; no status means no response.
  const noResponse = typeof $metadata === "object" && $metadata !== null && status === undefined;
  return (
    noResponse ||
    (typeof name === "string" && UNAVAILABLE_ERROR_NAMES.has(name)) ||
    (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) ||
    $fault === "server" ||
    (typeof status === "number" && status >= 500) ||
    (Array.isArray(errors) && errors.some((cause) => isStoreUnavailable(cause)))
  );
}
