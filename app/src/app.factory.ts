import { NestFactory } from "@nestjs/core";
import { ExpressAdapter, type NestExpressApplication } from "@nestjs/platform-express";
import express, { type RequestHandler } from "express";
import { AppModule } from "./app.module";
import { ErrorBodyFilter } from "./common/error-body.filter";
import { configureServerTimeouts, GracefulShutdown } from "./common/graceful-shutdown";
import { accessLogMiddleware, PinoLoggerService } from "./common/logging";
import { setupOpenApi } from "./common/openapi";
import { requestMiddleware } from "./common/request.middleware";

export interface CreateAppOptions {
  /**
   * A handler in front of everything the service registers, as a load balancer rule is in front
   * of its default target: what it answers never reaches the service's middleware. The local
   * stack puts the DELETE function's routing here.
   */
  edge?: RequestHandler;
}

/**
 * Creates the service with all of its global setup, without listening: callers may add Express
 * middleware with `app.use(...)` and then `await app.listen(port)`. Throws a
 * ConfigError naming every environment variable that is missing or wrong.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, expressAdapter(options), {
    bufferLogs: true,
    bodyParser: false,
  });
  const logger = app.get(PinoLoggerService);
  app.useLogger(logger);
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestMiddleware);
  app.use(accessLogMiddleware(logger.pino));
  app.use(app.get(GracefulShutdown).middleware);
  app.useGlobalFilters(new ErrorBodyFilter());
  setupOpenApi(app);
  configureServerTimeouts(app.getHttpServer());
  app.enableShutdownHooks(["SIGTERM", "SIGINT"], { useProcessExit: true });
  return app;
}

/**
 * Paths match the way the load balancer's rules match them: case-sensitively and without
 * ignoring a trailing slash, so `/PICUS/get/…` or `/picus/get/…/` is a 404 here just as
 * `DELETE /PICUS/…` never reaches the DELETE function. Express reads both settings when it
 * creates its router, so they are set before Nest registers anything.
 */
function expressAdapter({ edge }: CreateAppOptions): ExpressAdapter {
  const instance = express();
  instance.set("case sensitive routing", true);
  instance.set("strict routing", true);
  if (edge !== undefined) instance.use(edge);
  return new ExpressAdapter(instance);
}
