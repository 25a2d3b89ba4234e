import { randomUUID } from "node:crypto";
import type { Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { errorBody } from "../../../lib/http-error";
import { REQUEST_ID_HEADER } from "./request-id";

interface ParserError extends Error {
  code?: string;
}

function statusOf(error: ParserError): number {
  if (error.code === "HPE_HEADER_OVERFLOW") return 431;
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return 408;
  return 400;
}

/**
 * Requests Node's HTTP parser rejects (headers over 16 KiB, a malformed request line, an unknown
 * method) never reach Express; Node would answer them with an empty plain response. This answers
 * them as every other error: the ErrorBody in JSON, with an x-request-id.
 */
export function answerClientErrors(server: Server): void {
  server.on("clientError", (error: ParserError, socket: Duplex) => {
    // Node's own rule: nothing can be written once a response on this socket has begun.
    const current = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === "ECONNRESET" || !socket.writable || current?.headersSent) {
      socket.destroy();
      return;
    }
    const status = statusOf(error);
    const body = JSON.stringify(errorBody(status, `The request was rejected: ${error.message}`));
    socket.end(
      `HTTP/1.1 ${status} ${errorBody(status, "").error}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${randomUUID()}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  });
}
