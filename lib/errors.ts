import { STATUS_CODES } from "node:http";

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? "Error", message };
}

/** A client's value in a message: JSON-quoted, and at most 120 characters of it. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

/** A failure the client is told about as it is: its status and message make the ErrorBody. */
export abstract class ApiError extends Error {
  abstract readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, options: ErrorOptions & { headers?: Record<string, string> } = {}) {
    super(message, options);
    this.headers = options.headers ?? {};
  }
}

export class MethodNotAllowedError extends ApiError {
  override readonly name = "MethodNotAllowedError";
  readonly statusCode = 405;
  constructor(method: string, path: string, allow: readonly string[]) {
    super(`${method} is not allowed on ${quote(path)}; use ${allow.join(" or ")}`, {
      headers: { allow: allow.join(", ") },
    });
  }
}

/** RFC 6750: no token, or one that is malformed, expired, forged or not for picus. */
export class UnauthorizedError extends ApiError {
  override readonly name = "UnauthorizedError";
  readonly statusCode = 401;
  constructor(message: string, tokenGiven: boolean) {
    const error = tokenGiven ? `, error="invalid_token", error_description=${quote(message)}` : "";
    super(message, { headers: { "www-authenticate": `Bearer realm="picus"${error}` } });
  }
}

/** RFC 6750: a valid token without the scope the route needs. */
export class ForbiddenError extends ApiError {
  override readonly name = "ForbiddenError";
  readonly statusCode = 403;
  constructor(scope: string) {
    const challenge = `Bearer realm="picus", error="insufficient_scope", scope="${scope}"`;
    super(`The token does not carry the scope ${scope}`, {
      headers: { "www-authenticate": challenge },
    });
  }
}

export class InvalidItemKeyError extends ApiError {
  override readonly name = "InvalidItemKeyError";
  readonly statusCode = 400;
}

export class InvalidCursorError extends ApiError {
  override readonly name = "InvalidCursorError";
  readonly statusCode = 400;
  constructor() {
    super("The cursor is not one this service issued");
  }
}

export class ItemNotFoundError extends ApiError {
  override readonly name = "ItemNotFoundError";
  readonly statusCode = 404;
  constructor(key: string) {
    super(`No item has the key ${key}`);
  }
}

export class IdempotencyKeyReusedError extends ApiError {
  override readonly name = "IdempotencyKeyReusedError";
  readonly statusCode = 409;
  constructor() {
    super("This Idempotency-Key was used with another body; use a new key for a new item");
  }
}

export class ItemTooLargeError extends ApiError {
  override readonly name = "ItemTooLargeError";
  readonly statusCode = 413;
}

export class UnstorableItemError extends ApiError {
  override readonly name = "UnstorableItemError";
  readonly statusCode = 422;
}

/** The store cannot serve the call right now; the client may retry. Logged at warn. */
export class StoreUnavailableError extends ApiError {
  override readonly name = "StoreUnavailableError";
  readonly statusCode = 503;
  constructor(cause: unknown) {
    super("The data store is unavailable; try again shortly", { cause });
  }
}

export class IssuerUnavailableError extends ApiError {
  override readonly name = "IssuerUnavailableError";
  readonly statusCode = 503;
  constructor(cause: unknown) {
    super("The token issuer's keys cannot be fetched; try again shortly", { cause });
  }
}

const THROTTLING_ERROR_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
]);

const UNAVAILABLE_ERROR_NAMES = new Set([
  ...THROTTLING_ERROR_NAMES,
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
 * Which DynamoDB failures mean the store is unavailable (a 503): no response at all (network
 * errors, timeouts), throttling, server faults and a missing table. Duck-typed, because Node's
 * network errors may come from another realm, and a connection to several addresses fails as an
 * AggregateError.
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

export function translateStoreError(error: unknown): unknown {
  return isStoreUnavailable(error) ? new StoreUnavailableError(error) : error;
}

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof ApiError) return errorBody(error.statusCode, error.message);
  return errorBody(500, "Internal server error");
}

/** Why a request was refused, as the ClientErrors metric's Reason dimension counts it. */
export type ClientErrorReason =
  "validation" | "auth" | "too-large" | "not-found" | "method" | "conflict";

const CLIENT_ERROR_REASONS: Readonly<Record<number, ClientErrorReason>> = {
  401: "auth",
  403: "auth",
  404: "not-found",
  405: "method",
  409: "conflict",
  413: "too-large",
};

/** The reason of a 4xx (any other 4xx is a validation error); undefined for anything else. */
export function clientErrorReason(statusCode: number): ClientErrorReason | undefined {
  if (statusCode < 400 || statusCode >= 500) return undefined;
  return CLIENT_ERROR_REASONS[statusCode] ?? "validation";
}

/** A failed DynamoDB call, as the StoreFailures metric's Failure dimension counts it. */
export type StoreFailure = "throttled" | "unavailable" | "conditional" | "other";

export function storeFailureKind(error: unknown): StoreFailure {
  const name = error instanceof Error ? error.name : undefined;
  if (name === "ConditionalCheckFailedException") return "conditional";
  if (name !== undefined && THROTTLING_ERROR_NAMES.has(name)) return "throttled";
  return isStoreUnavailable(error) ? "unavailable" : "other";
}
