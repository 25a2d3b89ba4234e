import { randomUUID } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { API_PREFIX } from "../../../lib/routes";
import { parseItemKey } from "../../../lib/item-key";
import { InvalidItemKey } from "./errors";

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * A request header's value, whichever way the target group delivers headers (ALB lower-cases
 * names; with multi-value headers enabled the last value wins, as it does for single values).
 */
export function headerValue(event: ALBEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  if (event.multiValueHeaders) {
    const entry = Object.entries(event.multiValueHeaders).find(
      ([key]) => key.toLowerCase() === wanted,
    );
    return entry?.[1]?.at(-1);
  }
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return entry?.[1];
}

/** The id that ties the response and the log line together: the caller's, the ALB trace id, or a new one. */
export function requestIdOf(event: ALBEvent): string {
  for (const name of ["x-request-id", "x-amzn-trace-id"]) {
    const value = headerValue(event, name)?.trim();
    if (value !== undefined && REQUEST_ID.test(value)) return value;
  }
  return randomUUID();
}

/** The size of the request body in bytes; DELETE ignores its body but tolerates any. */
export function bodyBytes(event: ALBEvent): number {
  if (!event.body) return 0;
  return event.isBase64Encoded
    ? Buffer.from(event.body, "base64").length
    : Buffer.byteLength(event.body, "utf8");
}

/**
 * The item key of `/picus/{key}`. ALB passes the path still percent-encoded and its `/picus/*`
 * pattern also matches deeper paths, so the whole remainder is decoded and must be one UUID.
 */
export function itemKeyFromPath(path: string): string {
  const prefix = `${API_PREFIX}/`;
  const raw = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new InvalidItemKey(`The path ${quote(path)} is not valid percent-encoding`);
  }
  const key = path.startsWith(prefix) ? parseItemKey(decoded) : undefined;
  if (key === undefined) {
    throw new InvalidItemKey(
      `Expected ${API_PREFIX}/{key} with a UUID v4 key, got the path ${quote(path)}`,
    );
  }
  return key;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

/**
 * An ALB result: with a status description (ALB requires one) and headers in the form the
 * target group expects — multi-value when the event came with multi-value headers.
 */
export function albResult(
  event: ALBEvent,
  statusCode: number,
  headers: Record<string, string>,
  body = "",
): ALBResult {
  const result: ALBResult = {
    statusCode,
    statusDescription: `${statusCode} ${STATUS_CODES[statusCode] ?? "Unknown"}`,
    body,
    isBase64Encoded: false,
  };
  if (event.multiValueHeaders) {
    result.multiValueHeaders = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, [value]]),
    );
  } else {
    result.headers = headers;
  }
  return result;
}
