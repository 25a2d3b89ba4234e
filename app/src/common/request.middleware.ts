import type { IncomingMessage, ServerResponse } from "node:http";
import { trace } from "@opentelemetry/api";
import { errorBody } from "../../../lib/errors";
import { REQUEST_ID_HEADER, resolveRequestId } from "../../../lib/request-id";
import { API_RESPONSE_HEADERS, routeTemplate, UNMATCHED_ROUTE } from "../../../lib/routes";

declare module "http" {
  interface IncomingMessage {
    id?: string;
  }
}

/**
 * The first step of every request, so even body-parser failures and 404s carry what it sets:
 * the request id, the API's response headers, the route on a sampled trace's server span, and a
 * 400 for a request with two Host headers (which Node would otherwise pass on with the first).
 */
export function requestMiddleware(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
): void {
  req.id = resolveRequestId(req.headersDistinct);
  res.setHeader(REQUEST_ID_HEADER, req.id);
  for (const [name, value] of Object.entries(API_RESPONSE_HEADERS)) res.setHeader(name, value);
  nameServerSpan(req);
  if ((req.headersDistinct.host?.length ?? 0) > 1) {
    res.statusCode = 400;
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.end(JSON.stringify(errorBody(400, "The request has more than one Host header")));
    return;
  }
  next();
}

/** The server span is named by its route template, as X-Ray groups traces by it. */
function nameServerSpan(req: IncomingMessage): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  const route = routeTemplate(req.method ?? "", (req.url ?? "").split("?")[0]);
  if (route === UNMATCHED_ROUTE) return;
  span.updateName(route);
  span.setAttribute("http.route", route.slice(route.indexOf(" ") + 1));
}
