const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Item keys are UUID v4 strings, stored in lower case. Returns the canonical key, or undefined. */
export function parseItemKey(value: string): string | undefined {
  return UUID_V4.test(value) ? value.toLowerCase() : undefined;
}
