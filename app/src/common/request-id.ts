import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";

declare module "http" {
  interface IncomingMessage {
    /** Set by requestIdMiddleware before anything else runs. */
    id?: string;
  }
}

export const REQUEST_ID_HEADER = "x-request-id";
const TRACE_ID_HEADER = "x-amzn-trace-id";

/** Printable ASCII without spaces, short enough for a log field. */
const ACCEPTABLE_ID = /^[\x21-\x7e]{1,200}$/;

type Headers = IncomingHttpHeaders | NodeJS.Dict<string[]>;

/** The last value of a repeated header, as the load balancer passes it to the DELETE function. */
function headerValue(headers: Headers, name: string): string | undefined {
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw.at(-1) : raw;
  return value !== undefined && ACCEPTABLE_ID.test(value) ? value : undefined;
}

/** The caller's x-request-id, else the load balancer's x-amzn-trace-id, else a new UUID. */
export function resolveRequestId(headers: Headers): string {
  return (
    headerValue(headers, REQUEST_ID_HEADER) ?? headerValue(headers, TRACE_ID_HEADER) ?? randomUUID()
  );
}

/** Runs before everything else, so even body-parser failures and 404s carry the id. */
export function requestIdMiddleware(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
): void {
  const id = resolveRequestId(req.headersDistinct);
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}
