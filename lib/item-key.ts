/** A UUID v4 in either case, as a JSON Schema pattern (no flags) and as a RegExp. */
const ITEM_KEY_PATTERN =
  "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$";
const UUID_V4 = new RegExp(ITEM_KEY_PATTERN);

/** The OpenAPI schema of an item key. */
export const ITEM_KEY_SCHEMA = {
  type: "string",
  format: "uuid",
  pattern: ITEM_KEY_PATTERN,
} as const;

/** Item keys are UUID v4 strings, stored in lower case. Returns the canonical key, or undefined. */
export function parseItemKey(value: string): string | undefined {
  return UUID_V4.test(value) ? value.toLowerCase() : undefined;
}
