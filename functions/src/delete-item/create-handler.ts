import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { errorBody } from "../../../lib/http-error";
import { DELETE_ITEM_ROUTE } from "../../../lib/routes";
import { albResult, bodyBytes, itemKeyFromPath, requestIdOf } from "./alb";
import { deleteItem } from "./delete-item";
import { MethodNotAllowed, toErrorResponse } from "./errors";
import type { Logger } from "./logger";

export interface DeleteItemDependencies {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  logger: Logger;
}

export type DeleteItemHandler = (
  event: ALBEvent,
  context?: Pick<Context, "awsRequestId">,
) => Promise<ALBResult>;

/** `DELETE /picus/{key}` → 204, 400 (bad key), 404 (unknown key), 503 (store unavailable). */
export function createDeleteItemHandler(dependencies: DeleteItemDependencies): DeleteItemHandler {
  const { documentClient, tableName, logger } = dependencies;
  return async (event, context) => {
    const startedAt = performance.now();
    const requestId = requestIdOf(event);
    const headers = { "x-request-id": requestId };
    let key: string | undefined;
    let result: ALBResult;
    let failure: unknown;
    try {
      if (event.httpMethod.toUpperCase() !== DELETE_ITEM_ROUTE.method) {
        throw new MethodNotAllowed(`${event.httpMethod} is not allowed here; use DELETE`);
      }
      key = itemKeyFromPath(event.path);
      await deleteItem(documentClient, tableName, key);
      result = albResult(event, 204, headers);
    } catch (error) {
      failure = error;
      const response = toErrorResponse(error);
      result = albResult(
        event,
        response.statusCode,
        { ...headers, ...response.headers, "content-type": "application/json; charset=utf-8" },
        JSON.stringify(errorBody(response.statusCode, response.message)),
      );
    }
    const fields = {
      reqId: requestId,
      awsRequestId: context?.awsRequestId,
      method: event.httpMethod,
      path: event.path,
      key,
      requestBytes: bodyBytes(event),
      statusCode: result.statusCode,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      ...(failure === undefined ? {} : { error: describe(failure) }),
    };
    // As the service logs them: an unavailable store (503) at warn, anything else 5xx at error.
    if (result.statusCode === 503) logger.warn("request failed", fields);
    else if (result.statusCode >= 500) logger.error("request failed", fields);
    else logger.info("request completed", fields);
    return result;
  };
}

function describe(error: unknown): Record<string, unknown> {
  if (typeof error !== "object" || error === null) return { value: String(error) };
  const { name, message, code, cause } = error as Partial<NodeJS.ErrnoException>;
  return { name, message, code, cause: cause === undefined ? undefined : describe(cause) };
}
