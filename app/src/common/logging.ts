import type { LoggerService } from "@nestjs/common";
import type { NextFunction, Request, Response } from "express";
import type { Level, Logger } from "pino";
import { metricFields, RequestMetrics, withRequestMetrics } from "../../../lib/metrics";
import { routeTemplate } from "../../../lib/routes";

/** Nest passes a stack trace as a separate string after the message (`Logger.error(msg, stack)`). */
function isStackTrace(value: unknown): value is string {
  return typeof value === "string" && /\n\s*at /.test(value);
}

/**
 * Nest's logs (`app.useLogger`, `new Logger(context)`) as pino lines: the context goes in
 * `context`, an object message is merged into the line, an Error goes in `err`.
 */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write("trace", message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write("debug", message, params);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write("info", message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write("warn", message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write("error", message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write("fatal", message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const last = params.at(-1);
    const isStack = (value: unknown) => level === "error" && isStackTrace(value);
    const context = typeof last === "string" && !isStack(last) ? last : undefined;
    const rest = (context === undefined ? params : params.slice(0, -1)).filter(
      (param) => param !== undefined,
    );
    const fields: Record<string, unknown> = context === undefined ? {} : { context };

    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, typeof rest[0] === "string" ? rest[0] : message.message);
    } else if (typeof message === "object" && message !== null) {
      Object.assign(fields, message);
      this.pino[level](fields, typeof rest[0] === "string" ? rest[0] : undefined);
    } else {
      if (rest.length === 1 && isStack(rest[0])) {
        fields.err = Object.assign(new Error(String(message)), { stack: rest[0] });
      } else if (rest.length > 0) fields.details = rest;
      this.pino[level](fields, String(message));
    }
  }
}

function accessMessage(req: Request, res: Response): string {
  if (req.readableAborted || !res.writableFinished) return "request aborted";
  return res.statusCode >= 500 ? "request errored" : "request completed";
}

/**
 * One `info` line per request when it ends (completed, errored or aborted): `reqId`,
 * `req: {method, url}`, `res: {statusCode}` and `responseTime` in ms, and the request's metrics
 * in embedded metric format (lib/metrics.ts). Headers stay out: they may carry credentials.
 * Nothing is built when `info` is off. A response emits `close` once, after `finish` or when its
 * connection is lost first, so one listener sees every outcome.
 */
export function accessLogMiddleware(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!logger.isLevelEnabled("info")) return next();
    const start = performance.now();
    const route = routeTemplate(req.method, req.path);
    const metrics = new RequestMetrics();
    res.on("close", () => {
      const responseTime = Math.round(performance.now() - start);
      logger.info(
        {
          reqId: req.id,
          req: { method: req.method, url: req.originalUrl },
          res: { statusCode: res.statusCode },
          responseTime,
          ...metricFields({
            service: "api",
            route,
            statusCode: res.statusCode,
            latencyMs: responseTime,
            metrics,
          }),
        },
        accessMessage(req, res),
      );
    });
    withRequestMetrics(metrics, next);
  };
}
