import { UnsupportedMediaTypeException } from "@nestjs/common";
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from "express";

/** Bodies up to 1 MiB are read; whether the item fits DynamoDB's 400 KB is decided after parsing. */
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_MEDIA_TYPES = ["application/json", "application/*+json"];

function hasBody(req: Request): boolean {
  return Buffer.isBuffer(req.body) && req.body.length > 0;
}

/** 415 unless a body is declared as JSON in UTF-8, the only encoding JSON may use (RFC 8259). */
function requireJsonContentType(req: Request, _res: Response, next: NextFunction): void {
  if (!hasBody(req)) return next();
  if (req.headers["content-type"] === undefined || req.is(JSON_MEDIA_TYPES) === false) {
    return next(new UnsupportedMediaTypeException("The request body must be application/json"));
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.headers["content-type"])?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return next(
      new UnsupportedMediaTypeException(`Unsupported charset "${charset}": send JSON in UTF-8`),
    );
  }
  next();
}

/** Reads the raw body; ParseItemDataPipe parses it, so that every failure has one shape. */
export const jsonBodyMiddleware: RequestHandler[] = [
  express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
  requireJsonContentType,
];
