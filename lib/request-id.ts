import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "x-request-id";
const TRACE_ID_HEADER = "x-amzn-trace-id";

/** Printable ASCII without spaces, short enough for a log field. */
const ACCEPTABLE_ID = /^[\x21-\x7e]{1,200}$/;

type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

/** The last value of a header, as the load balancer passes a repeated one, if it is a usable id. */
function idFrom(headers: Headers, name: string): string | undefined {
  const raw = headers[name];
  const value = (typeof raw === "string" ? raw : raw?.at(-1))?.trim();
  return value !== undefined && ACCEPTABLE_ID.test(value) ? value : undefined;
}

/**
 * The id that ties a response to its log lines, for the service and the function alike: the
 * caller's x-request-id, else the load balancer's x-amzn-trace-id, else a new UUID. Header names
 * are lower case, as Node and ALB deliver them.
 */
export function resolveRequestId(headers: Headers): string {
  return idFrom(headers, REQUEST_ID_HEADER) ?? idFrom(headers, TRACE_ID_HEADER) ?? randomUUID();
}
