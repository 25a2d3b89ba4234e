import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { errorBody } from "../../../lib/http-error";
import { REQUEST_ID_HEADER, resolveRequestId } from "./request-id";

interface ParserError extends Error {
  code?: string;
}

function statusOf(error: ParserError): number {
  if (error.code === "HPE_HEADER_OVERFLOW") return 431;
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return 408;
  return 400;
}

/** Writes the ErrorBody as a whole HTTP response on the socket and closes it. */
function endWithErrorBody(socket: Duplex, status: number, message: string, id: string): void {
  const body = errorBody(status, message);
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${body.error}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\n` +
      `${REQUEST_ID_HEADER}: ${id}\r\n` +
      `Connection: close\r\n\r\n${json}`,
  );
}

/** The response the server is writing, or will write next, on this connection. */
function responseOn(socket: Duplex): ServerResponse | undefined {
  return (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/**
 * Runs `then` once every response queued on the connection has been written. The server hands
 * the connection to the next pipelined response when one finishes, so this follows the chain.
 */
function afterPendingResponses(socket: Duplex, then: () => void): void {
  const pending = responseOn(socket);
  if (pending === undefined) {
    then();
    return;
  }
  pending.once("finish", () => setImmediate(() => afterPendingResponses(socket, then)));
}

/** The access line the access-log middleware would have written, with `req` as far as known. */
function logRejected(
  logger: Logger,
  id: string,
  status: number,
  message: string,
  req?: IncomingMessage,
): void {
  logger.info(
    {
      reqId: id,
      ...(req === undefined ? {} : { req: { method: req.method, url: req.url } }),
      res: { statusCode: status },
      reason: message,
    },
    "request rejected",
  );
}

/**
 * Requests that never reach Express get the same answer as every other error: the ErrorBody in
 * JSON with an x-request-id. Node would otherwise answer what its HTTP parser rejects (headers
 * over 16 KiB, a malformed request line, an unknown method) and an `Expect` other than
 * 100-continue with an empty plain response, and drop CONNECT requests without any answer.
 */
export function answerClientErrors(server: Server, logger: Logger): void {
  // Node answers an HTTP/1.1 request without Host with an empty 400; hostHeaderMiddleware does it
  // in JSON. The server reads this option per request, so it can be turned off after creation.
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
  server.on("clientError", (error: ParserError, socket: Duplex) => {
    // Node's own rule: nothing can be written once a response on this socket has begun. A client
    // that went away in the middle of a body (INVALID_EOF_STATE) reads no answer either.
    const current = responseOn(socket);
    if (
      error.code === "ECONNRESET" ||
      error.code === "HPE_INVALID_EOF_STATE" ||
      !socket.writable ||
      current?.headersSent
    ) {
      socket.destroy();
      return;
    }
    const status = statusOf(error);
    const message = `The request was rejected: ${error.message}`;
    const inFlight = current?.req;
    if (current !== undefined && inFlight !== undefined && !inFlight.complete) {
      // The bad bytes are in the body of the request being read: it is the one answered, under
      // its own id, and its access line (written when it closes) records the status sent.
      current.statusCode = status;
      endWithErrorBody(
        socket,
        status,
        message,
        inFlight.id ?? resolveRequestId(inFlight.headersDistinct),
      );
      return;
    }
    // A request that never started. Requests pipelined before it were read whole and are being
    // answered: their responses go out first, then this rejection, under a new id.
    socket.pause();
    afterPendingResponses(socket, () => {
      if (!socket.writable) return;
      const id = randomUUID();
      endWithErrorBody(socket, status, message, id);
      logRejected(logger, id, status, message);
    });
  });
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    const id = randomUUID();
    const message = "CONNECT is not supported";
    endWithErrorBody(socket, 405, message, id);
    logRejected(logger, id, 405, message, req);
  });
  // RFC 9110 §10.1.1: an expectation the server cannot meet is a 417. The body is left unread,
  // so the connection closes after the answer.
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    const id = resolveRequestId(req.headersDistinct);
    const message = "Only the expectation 100-continue is supported";
    const body = JSON.stringify(errorBody(417, message));
    res.writeHead(417, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      [REQUEST_ID_HEADER]: id,
      connection: "close",
    });
    res.end(body);
    logRejected(logger, id, 417, message, req);
  });
}

/** RFC 9112: an HTTP/1.1 request without a Host header is a 400. */
export function hostHeaderMiddleware(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
): void {
  if (req.httpVersion !== "1.1" || req.headers.host !== undefined) return next();
  res.statusCode = 400;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("connection", "close");
  res.end(JSON.stringify(errorBody(400, "An HTTP/1.1 request needs a Host header")));
}
