import { z } from "zod";
import { InvalidCursorError } from "../../../lib/errors";
import { parseItemKey } from "../../../lib/item-key";

export const DEFAULT_LIST_LIMIT = 25;
export const MAX_LIST_LIMIT = 100;
/** Far above any cursor the service issues (base64url of a 36-character key in JSON). */
export const MAX_CURSOR_LENGTH = 256;

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}`;

/** The list route's query: `limit` (1–100) and an opaque `cursor`, which decodeCursor checks. */
export const listItemsQuery = z.object({
  limit: z
    .string()
    .regex(/^\d{1,6}$/, LIMIT_MESSAGE)
    .transform(Number)
    .pipe(z.number().min(1, LIMIT_MESSAGE).max(MAX_LIST_LIMIT, LIMIT_MESSAGE))
    .default(DEFAULT_LIST_LIMIT),
  cursor: z.string().optional(),
});

export interface ListPosition {
  id: string;
}

const BASE64URL = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CURSOR_LENGTH}}$`);

/** Cursors are opaque to clients: base64url of the position's JSON. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ id: position.id }), "utf8").toString("base64url");
}

/** Accepts only cursors this service could have issued; anything else is an InvalidCursorError. */
export function decodeCursor(cursor: string): ListPosition {
  if (!BASE64URL.test(cursor)) throw new InvalidCursorError();
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.toString("base64url") !== cursor) throw new InvalidCursorError();
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidCursorError();
  }
  const fields = typeof decoded === "object" && decoded !== null ? Object.keys(decoded) : [];
  const id: unknown = fields.length === 1 ? (decoded as Record<string, unknown>).id : undefined;
  if (typeof id !== "string" || parseItemKey(id) !== id) throw new InvalidCursorError();
  return { id };
}
