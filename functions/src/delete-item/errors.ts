/** The failures the function answers with a specific status; anything else is a 500. */
export class InvalidItemKey extends Error {
  override readonly name = "InvalidItemKey";
}

export class MethodNotAllowed extends Error {
  override readonly name = "MethodNotAllowed";
}

export class ItemNotFound extends Error {
  override readonly name = "ItemNotFound";
}

export class StoreUnavailable extends Error {
  override readonly name = "StoreUnavailable";
}

export interface ErrorResponse {
  statusCode: number;
  message: string;
  headers?: Record<string, string>;
}

/** The one place that maps errors to HTTP statuses; unexpected errors never leak their message. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof InvalidItemKey) return { statusCode: 400, message: error.message };
  if (error instanceof ItemNotFound) return { statusCode: 404, message: error.message };
  if (error instanceof MethodNotAllowed) {
    return { statusCode: 405, message: error.message, headers: { allow: "DELETE" } };
  }
  if (error instanceof StoreUnavailable) return { statusCode: 503, message: error.message };
  return { statusCode: 500, message: "The item could not be deleted because of an internal error" };
}
