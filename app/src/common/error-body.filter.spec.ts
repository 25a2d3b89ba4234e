import {
  type ArgumentsHost,
  BadRequestException,
  ConsoleLogger,
  HttpStatus,
  Logger,
  NotFoundException,
} from "@nestjs/common";
import {
  InvalidCursorError,
  ItemTooLargeError,
  StoreUnavailableError,
  UnstorableItemError,
} from "../../../lib/errors";
import { ErrorBodyFilter, toErrorBody } from "./error-body.filter";
import { createLogger } from "../../../lib/logger";
import { PinoLoggerService } from "./logging";

/** The shape of the errors body-parser raises (http-errors). */
function createHttpError(status: number, message: string, fields: object = {}): Error {
  return Object.assign(
    new Error(message),
    { status, statusCode: status, expose: status < 500 },
    fields,
  );
}

describe("toErrorBody", () => {
  it.each([
    [new NotFoundException("gone"), 404, "Not Found", "gone"],
    [
      new BadRequestException(["a is wrong", "b is wrong"]),
      400,
      "Bad Request",
      "a is wrong; b is wrong",
    ],
    [
      new StoreUnavailableError(new Error("socket hang up")),
      503,
      "Service Unavailable",
      "The data store is unavailable; try again shortly",
    ],
    [new ItemTooLargeError("too big"), 413, "Payload Too Large", "too big"],
    [new UnstorableItemError("too deep"), 422, "Unprocessable Entity", "too deep"],
    [new InvalidCursorError(), 400, "Bad Request", "The cursor is not one this service issued"],
    [
      createHttpError(413, "request entity too large", {
        type: "entity.too.large",
        limit: 1048576,
      }),
      413,
      "Payload Too Large",
      "The request body is larger than the 1048576 bytes accepted",
    ],
    [
      createHttpError(400, "request aborted", { type: "request.aborted" }),
      400,
      "Bad Request",
      "The request was aborted before its body arrived",
    ],
    [
      createHttpError(415, 'unsupported content encoding "br"'),
      415,
      "Unsupported Media Type",
      'unsupported content encoding "br"',
    ],
    [new Error("secret detail"), 500, "Internal Server Error", "Internal server error"],
    [createHttpError(500, "internal"), 500, "Internal Server Error", "Internal server error"],
    ["thrown text", 500, "Internal Server Error", "Internal server error"],
  ])("maps %p to %d", (exception, statusCode, error, message) => {
    expect(toErrorBody(exception)).toEqual({ statusCode, error, message });
  });

  it("keeps the status of any HttpException", () => {
    expect(toErrorBody(new BadRequestException()).statusCode).toBe(HttpStatus.BAD_REQUEST);
  });
});

describe("ErrorBodyFilter", () => {
  function capture(): Record<string, unknown>[] {
    const lines: Record<string, unknown>[] = [];
    const destination = {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    };
    Logger.overrideLogger(new PinoLoggerService(createLogger("info", destination)));
    return lines;
  }

  function host(reqId: string, sent: { status?: number; body?: unknown }): ArgumentsHost {
    const response = {
      headersSent: false,
      set() {
        return this;
      },
      status(code: number) {
        sent.status = code;
        return this;
      },
      json(body: unknown) {
        sent.body = body;
      },
    };
    const http = { getRequest: () => ({ id: reqId }), getResponse: () => response };
    return { switchToHttp: () => http } as unknown as ArgumentsHost;
  }

  afterEach(() => {
    Logger.overrideLogger(new ConsoleLogger());
  });

  it.each([
    [new Error("secret detail"), 500, 50],
    [new StoreUnavailableError(new Error("socket hang up")), 503, 40],
  ])("logs %p with the request's id and answers %d", (exception, statusCode, level) => {
    const lines = capture();
    const sent: { status?: number; body?: unknown } = {};
    new ErrorBodyFilter().catch(exception, host("req-5xx", sent));
    expect(sent).toEqual({ status: statusCode, body: toErrorBody(exception) });
    expect(lines).toEqual([
      expect.objectContaining({
        level,
        context: "ErrorBodyFilter",
        reqId: "req-5xx",
        statusCode,
        err: expect.objectContaining({ message: expect.stringContaining(exception.message) }),
        msg: "request failed",
      }),
    ]);
  });

  it("answers a 4xx without logging it", () => {
    const lines = capture();
    const sent: { status?: number; body?: unknown } = {};
    new ErrorBodyFilter().catch(new NotFoundException("gone"), host("req-4xx", sent));
    expect(sent.status).toBe(404);
    expect(lines).toEqual([]);
  });
});
