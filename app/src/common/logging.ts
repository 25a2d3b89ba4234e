import type { IncomingMessage } from "node:http";
import type { Params } from "nestjs-pino";
import type { LogLevel } from "../config/app.config";
import { resolveRequestId } from "./request-id";

/**
 * JSON lines on stdout; every request line carries `reqId`, the response's x-request-id. Request
 * headers are left out of the logs (they may carry credentials).
 */
export function loggerParams(level: LogLevel): Params {
  return {
    pinoHttp: {
      level,
      genReqId: (req: IncomingMessage) => req.id ?? resolveRequestId(req.headers),
      customAttributeKeys: { reqId: "reqId" },
      quietReqLogger: true,
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
      },
    },
  };
}
