import { BadRequestException, HttpStatus, NotFoundException } from "@nestjs/common";
import {
  InvalidCursorError,
  ItemTooLargeError,
  StoreUnavailableError,
  UnstorableItemError,
} from "./errors";
import { toErrorBody } from "./error-body.filter";

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
      new StoreUnavailableError("socket hang up"),
      503,
      "Service Unavailable",
      "The data store is unavailable; try again shortly",
    ],
    [new ItemTooLargeError("too big"), 413, "Payload Too Large", "too big"],
    [new UnstorableItemError("too deep"), 422, "Unprocessable Entity", "too deep"],
    [new InvalidCursorError("bad cursor"), 400, "Bad Request", "bad cursor"],
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
