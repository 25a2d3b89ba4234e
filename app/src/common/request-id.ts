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

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === "string" && ACCEPTABLE_ID.test(value) ? value : undefined;
}

/** The caller's x-request-id, else the load balancer's x-amzn-trace-id, else a new UUID. */
export function resolveRequestId(headers: IncomingHttpHeaders): string {
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
  const id = resolveRequestId(req.headers);
  req.id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  next();
}
