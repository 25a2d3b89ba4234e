import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { BeforeApplicationShutdown, Injectable } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";

/** The ALB keeps idle connections 60 s; the server must keep them longer or the ALB sees resets. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** In-flight requests finish in seconds (DynamoDB calls give up after ~3.5 s); then we cut. */
export const FORCE_CLOSE_AFTER_MS = 10_000;

export function configureServerTimeouts(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}

/**
 * On shutdown, before Nest closes the server: idle keep-alive connections are closed, responses
 * still to come say `Connection: close`, and whatever remains is cut after FORCE_CLOSE_AFTER_MS.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private draining = false;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  readonly middleware = (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (this.draining) res.setHeader("Connection", "close");
    res.once("finish", () => {
      if (this.draining) setImmediate(() => this.server()?.closeIdleConnections());
    });
    next();
  };

  beforeApplicationShutdown(): void {
    this.draining = true;
    const server = this.server();
    if (server === undefined) return;
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), FORCE_CLOSE_AFTER_MS).unref();
  }

  private server(): Server | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
  }
}
