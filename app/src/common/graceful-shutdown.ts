import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { BeforeApplicationShutdown, Injectable } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import { errorBody } from "../../../lib/errors";

/** The ALB keeps idle connections 60 s; the server must keep them longer or the ALB sees resets. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Headers, and a whole request, that trickle in slower than this are cut with a 408. */
const REQUEST_TIMEOUT_MS = 30_000;

/** In-flight requests finish in seconds (DynamoDB calls give up after ~3.5 s); then we cut. */
const FORCE_CLOSE_AFTER_MS = 9_000;

export function configureServerTimeouts(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  // Node reads this when the server starts listening (it is otherwise a constructor option):
  // check the two timeouts every second, not every 30 s.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1_000;
}

/**
 * On shutdown, before Nest closes the server: idle keep-alive connections are closed, responses
 * still to come (in flight or not yet begun) say `Connection: close`, and a request still unanswered after
 * FORCE_CLOSE_AFTER_MS (an upload still arriving, say) gets a 503 and its access-log line;
 * whatever is left is cut a second later, so the process exits within 10 s.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  readonly middleware = (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (this.draining) res.setHeader("Connection", "close");
    this.inFlight.add(res);
    res.once("close", () => {
      this.inFlight.delete(res);
      if (this.draining) setImmediate(() => this.server()?.closeIdleConnections());
    });
    next();
  };

  beforeApplicationShutdown(): void {
    this.draining = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
    const server = this.server();
    if (server === undefined) return;
    server.closeIdleConnections();
    setTimeout(() => this.cutOff(server), FORCE_CLOSE_AFTER_MS).unref();
  }

  private cutOff(server: Server): void {
    for (const res of this.inFlight) {
      if (res.headersSent) {
        res.destroy();
        continue;
      }
      const body = JSON.stringify(errorBody(503, "The service is shutting down; send it again"));
      res.writeHead(503, {
        "content-type": "application/json; charset=utf-8",
        connection: "close",
      });
      res.end(body);
    }
    setTimeout(() => server.closeAllConnections(), 1_000).unref();
  }

  private server(): Server | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
  }
}
