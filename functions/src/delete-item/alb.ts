import { STATUS_CODES } from "node:http";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { InvalidItemKeyError, quote } from "../../../lib/errors";
import { parseItemKey } from "../../../lib/item-key";
import { API_PREFIX } from "../../../lib/routes";

/** The size of the request body in bytes; DELETE ignores its body but tolerates any. */
export function bodyBytes(event: ALBEvent): number {
  if (!event.body) return 0;
  return Buffer.byteLength(event.body, event.isBase64Encoded ? "base64" : "utf8");
}

/**
 * The item key of `/picus/{key}`. ALB passes the path still percent-encoded and its `/picus/*`
 * pattern also matches deeper paths, so the whole remainder is decoded and must be one UUID.
 */
export function itemKeyFromPath(path: string): string {
  const prefix = `${API_PREFIX}/`;
  let decoded: string | undefined;
  try {
    decoded = path.startsWith(prefix) ? decodeURIComponent(path.slice(prefix.length)) : undefined;
  } catch {
    throw new InvalidItemKeyError(`The path ${quote(path)} is not valid percent-encoding`);
  }
  const key = decoded === undefined ? undefined : parseItemKey(decoded);
  if (key === undefined) {
    throw new InvalidItemKeyError(
      `Expected ${API_PREFIX}/{key} with a UUID v4 key, got the path ${quote(path)}`,
    );
  }
  return key;
}

/**
 * An ALB result for a target group with multi-value headers off (picus's setting), with the
 * status description ALB requires.
 */
export function albResult(
  statusCode: number,
  headers: Record<string, string>,
  body = "",
): ALBResult {
  return {
    statusCode,
    statusDescription: `${statusCode} ${STATUS_CODES[statusCode] ?? "Unknown"}`,
    headers,
    body,
    isBase64Encoded: false,
  };
}
