import { BadRequestException } from "@nestjs/common";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/**
 * 400 for any query parameter outside `allowed`, or given more than once. The ValidationPipe's
 * whitelist rejects most unknown parameters, but class-transformer drops keys such as
 * `__proto__` and `constructor` before it looks, so those would otherwise be accepted silently;
 * a repeated parameter reaches the validators as an array and fails every rule at once.
 */
export function onlyQueryParameters(allowed: readonly string[]): RequestHandler {
  const known = new Set(allowed);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const query = req.query as Record<string, unknown>;
    const unknown = Object.keys(query).find((key) => !known.has(key));
    if (unknown !== undefined) {
      const name = unknown === "" ? "without a name" : unknown;
      return next(new BadRequestException(`property ${name} should not exist`));
    }
    const repeated = Object.keys(query).find((key) => Array.isArray(query[key]));
    if (repeated !== undefined) {
      return next(new BadRequestException(`${repeated} must be given once`));
    }
    next();
  };
}
