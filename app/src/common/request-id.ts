import type { IncomingMessage, ServerResponse } from "node:http";
import { REQUEST_ID_HEADER, resolveRequestId } from "../../../lib/request-id";

declare module "http" {
  interface IncomingMessage {
    /** Set by requestIdMiddleware before anything else runs. */
    id?: string;
  }
}

/** Runs before everything else, so even body-parser failures and 404s carry the id. */
export function requestIdMiddleware(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
): void {
  req.id = resolveRequestId(req.headersDistinct);
  res.setHeader(REQUEST_ID_HEADER, req.id);
  next();
}
