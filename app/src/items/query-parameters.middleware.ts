import { BadRequestException } from "@nestjs/common";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/**
 * 400 for any query parameter outside `allowed`. The ValidationPipe's whitelist rejects most
 * unknown parameters, but class-transformer drops keys such as `__proto__` and `constructor`
 * before it looks, so those would otherwise be accepted silently.
 */
export function onlyQueryParameters(allowed: readonly string[]): RequestHandler {
  const known = new Set(allowed);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const unknown = Object.keys(req.query as object).find((key) => !known.has(key));
    if (unknown === undefined) return next();
    next(new BadRequestException(`property ${unknown} should not exist`));
  };
}
