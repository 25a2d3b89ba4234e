import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ALBEvent, ALBResult, Context } from "aws-lambda";
import type { Logger } from "pino";
import { createAuthorizer, type Authorize } from "../../../lib/auth";
import {
  authEnvironment,
  authSettings,
  dynamoSettings,
  parseEnvironment,
  storeEnvironment,
} from "../../../lib/config";
import { createDocumentClient } from "../../../lib/dynamo-client";
import {
  ApiError,
  errorBody,
  ItemNotFoundError,
  MethodNotAllowedError,
  toErrorBody,
  translateStoreError,
} from "../../../lib/errors";
import { createLogger } from "../../../lib/logger";
import { metricFields, RequestMetrics, withRequestMetrics } from "../../../lib/metrics";
import { REQUEST_ID_HEADER, resolveRequestId } from "../../../lib/request-id";
import {
  allowedMethods,
  API_RESPONSE_HEADERS,
  DELETE_ITEM_ROUTE,
  routeTemplate,
  SCOPES,
} from "../../../lib/routes";
import { TABLE_HASH_KEY } from "../../../lib/table";
import { albResult, bodyBytes, itemKeyFromPath } from "./alb";
import { inLoadBalancerTrace, tracer } from "./tracing";

export interface DeleteItemDependencies {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  logger: Logger;
  authorize: Authorize;
}

export type DeleteItemHandler = (
  event: ALBEvent,
  context?: Pick<Context, "awsRequestId">,
) => Promise<ALBResult>;

/** Deletes an existing item; a key that is not in the table is a 404, not a silent no-op. */
async function deleteItem(deps: DeleteItemDependencies, key: string): Promise<void> {
  try {
    await deps.documentClient.send(
      new DeleteCommand({
        TableName: deps.tableName,
        Key: { [TABLE_HASH_KEY]: key },
        ConditionExpression: "attribute_exists(#key)",
        ExpressionAttributeNames: { "#key": TABLE_HASH_KEY },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ItemNotFoundError(key);
    throw translateStoreError(error);
  }
}

/**
 * `DELETE /picus/{key}` → 204, 400 (bad key), 404 (unknown key), 503 (store unavailable). One
 * line per invocation, with its metrics in embedded metric format (lib/metrics.ts) and the id of
 * the X-Ray trace it is recorded in.
 */
export function createDeleteItemHandler(deps: DeleteItemDependencies): DeleteItemHandler {
  return (event, context) =>
    inLoadBalancerTrace(event.headers?.["x-amzn-trace-id"], (traceId) => {
      const metrics = new RequestMetrics();
      return withRequestMetrics(metrics, () => handle(deps, metrics, event, context, traceId));
    });
}

async function handle(
  deps: DeleteItemDependencies,
  metrics: RequestMetrics,
  event: ALBEvent,
  context: Pick<Context, "awsRequestId"> | undefined,
  traceId: string | undefined,
): Promise<ALBResult> {
  const startedAt = performance.now();
  const reqId = resolveRequestId(event.headers ?? {});
  const headers: Record<string, string> = { ...API_RESPONSE_HEADERS, [REQUEST_ID_HEADER]: reqId };
  let key: string | undefined;
  let result: ALBResult;
  let failure: unknown;
  try {
    const allow = allowedMethods(event.path);
    if (
      event.httpMethod !== DELETE_ITEM_ROUTE.method ||
      (allow.length > 0 && !allow.includes("DELETE"))
    ) {
      throw new MethodNotAllowedError(
        event.httpMethod,
        event.path,
        allow.length > 0 ? allow : ["DELETE"],
      );
    }
    await deps.authorize(event.headers?.authorization, SCOPES.delete);
    key = itemKeyFromPath(event.path);
    await deleteItem(deps, key);
    result = albResult(204, headers);
  } catch (error) {
    failure = error;
    if (error instanceof ApiError) Object.assign(headers, error.headers);
    const body = toErrorBody(error);
    result = errorResult(body.statusCode, body.message, headers);
  }
  const responseTime = Math.round((performance.now() - startedAt) * 10) / 10;
  const fields = {
    reqId,
    awsRequestId: context?.awsRequestId,
    traceId,
    req: { method: event.httpMethod, url: event.path },
    res: { statusCode: result.statusCode },
    key,
    requestBytes: bodyBytes(event),
    responseTime,
    err: failure,
    ...metricFields({
      service: "delete-function",
      route: routeTemplate(event.httpMethod, event.path),
      statusCode: result.statusCode,
      latencyMs: responseTime,
      metrics,
    }),
  };
  // As the service logs them: an unavailable store (503) at warn, anything else 5xx at error.
  if (result.statusCode === 503) deps.logger.warn(fields, "request failed");
  else if (result.statusCode >= 500) deps.logger.error(fields, "request failed");
  else deps.logger.info(fields, "request completed");
  return result;
}

function errorResult(status: number, message: string, headers: Record<string, string>) {
  const body = JSON.stringify(errorBody(status, message));
  return albResult(status, { ...headers, "content-type": "application/json; charset=utf-8" }, body);
}

let coldStart: DeleteItemHandler | undefined;

/**
 * The Lambda entry point. The first invocation validates the environment (failing with every
 * problem named) and creates the one document client the warm function reuses.
 */
export const handler: DeleteItemHandler = async (event, context) => {
  coldStart ??= (() => {
    const env = parseEnvironment(storeEnvironment.extend(authEnvironment.shape), process.env);
    return createDeleteItemHandler({
      documentClient: tracer.captureAWSv3Client(createDocumentClient(dynamoSettings(env))),
      tableName: env.TABLE_NAME,
      logger: createLogger(env.LOG_LEVEL),
      authorize: createAuthorizer(authSettings(env)),
    });
  })();
  return coldStart(event, context);
};
