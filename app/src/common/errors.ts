/** Failures the service reports to clients; the global exception filter maps each to its status. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ItemTooLargeError extends Error {
  override readonly name = "ItemTooLargeError";
}

export class UnstorableItemError extends Error {
  override readonly name = "UnstorableItemError";
}

export class InvalidCursorError extends Error {
  override readonly name = "InvalidCursorError";
}

export class ItemKeyConflictError extends Error {
  override readonly name = "ItemKeyConflictError";
}
