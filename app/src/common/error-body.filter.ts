import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  NotFoundException,
} from "@nestjs/common";
import type { Request, Response } from "express";
import {
  ApiError,
  errorBody,
  MethodNotAllowedError,
  quote,
  toErrorBody as apiErrorBody,
  type ErrorBody,
} from "../../../lib/errors";
import { allowedMethods } from "../../../lib/routes";

/** Errors raised by body-parser and other http-errors users carry their own 4xx status. */
interface ClientHttpError {
  status: number;
  message: string;
  type?: string;
  limit?: number;
  encoding?: string;
  /** zlib's code when a compressed body does not inflate (Z_DATA_ERROR, ZSTD_error_…, …). */
  code?: string;
}

const DECOMPRESSION_ERROR_CODE = /^(Z_|ERR__ERROR_|ZSTD_error)/;

function isClientHttpError(error: unknown): error is ClientHttpError {
  if (!(error instanceof Error)) return false;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return typeof status === "number" && status >= 400 && status < 500 && expose !== false;
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === "string") return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join("; ");
  return typeof message === "string" ? message : exception.message;
}

function clientErrorMessage(error: ClientHttpError): string {
  if (error.type === "entity.too.large") {
    return `The request body is larger than the ${error.limit ?? "allowed"} bytes accepted`;
  }
  if (error.type === "request.aborted") return "The request was aborted before its body arrived";
  if (error.type === "encoding.unsupported") {
    return `The Content-Encoding ${JSON.stringify(error.encoding ?? "")} is not supported; send the body uncompressed or as gzip, deflate, br or zstd`;
  }
  if (typeof error.code === "string" && DECOMPRESSION_ERROR_CODE.test(error.code)) {
    return `The request body does not decompress as its Content-Encoding says (${error.message})`;
  }
  return error.message;
}

export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof HttpException) {
    return errorBody(exception.getStatus(), httpExceptionMessage(exception));
  }
  if (isClientHttpError(exception)) {
    return errorBody(exception.status, clientErrorMessage(exception));
  }
  return apiErrorBody(exception);
}

/**
 * No route matched: a 405 naming the methods the origin serves on a known path, else a 404 that
 * quotes at most the start of the path.
 */
function routeMiss(exception: unknown, req: Request): Error | undefined {
  if (!(exception instanceof NotFoundException) || !exception.message.startsWith("Cannot ")) {
    return undefined;
  }
  const allow = allowedMethods(req.path);
  if (allow.length > 0) return new MethodNotAllowedError(req.method, req.path, allow);
  return new NotFoundException(`Cannot ${req.method} ${quote(req.path)}`);
}

@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger("ErrorBodyFilter");

  catch(thrown: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const exception = routeMiss(thrown, http.getRequest<Request>()) ?? thrown;
    if (exception instanceof ApiError) response.set(exception.headers);
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      const level = body.statusCode === 503 ? "warn" : "error";
      const reqId = http.getRequest<Request>().id;
      this.logger[level]({ reqId, err: exception, statusCode: body.statusCode }, "request failed");
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.status(body.statusCode).json(body);
  }
}
