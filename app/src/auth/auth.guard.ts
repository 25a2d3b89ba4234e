import { CanActivate, ExecutionContext, Injectable } from "@nestjs/common";
import type { Request } from "express";
import { createAuthorizer, type Authorize } from "../../../lib/auth";
import { requiredScope } from "../../../lib/routes";
import { AppConfig } from "../config/app.config";

/**
 * Every route lib/routes.ts gives a scope needs a bearer token carrying it (401 without a valid
 * token, 403 without the scope), checked before any pipe or handler, so before any store access.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly authorize: Authorize;

  constructor(config: AppConfig) {
    this.authorize = createAuthorizer(config.auth);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const scope = requiredScope(req.method, req.path);
    if (scope !== undefined) await this.authorize(req.headers.authorization, scope);
    return true;
  }
}
