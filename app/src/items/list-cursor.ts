import { parseItemKey } from "../../../lib/item-key";
import { InvalidCursorError } from "../common/errors";

const BASE64URL = /^[A-Za-z0-9_-]{1,256}$/;

/** A list position: the key of the last item a page returned. */
export interface ListPosition {
  id: string;
}

/** Cursors are opaque to clients: base64url of the position's JSON. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ id: position.id }), "utf8").toString("base64url");
}

/** Accepts only cursors this service could have issued; anything else is an InvalidCursorError. */
export function decodeCursor(cursor: string): ListPosition {
  const invalid = new InvalidCursorError("The cursor is not one this service issued");
  if (!BASE64URL.test(cursor)) throw invalid;
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.toString("base64url") !== cursor) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw invalid;
  }
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) throw invalid;
  const fields = Object.keys(decoded);
  const id: unknown = (decoded as Record<string, unknown>).id;
  if (fields.length !== 1 || typeof id !== "string" || parseItemKey(id) !== id) throw invalid;
  return { id };
}
