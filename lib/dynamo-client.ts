import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { storeFailureKind } from "./errors";
import { currentRequestMetrics } from "./metrics";

export interface DynamoClientSettings {
  region: string;
  /** A DynamoDB-compatible endpoint (dynalite, DynamoDB Local); unset means AWS itself. */
  endpoint?: string;
  /** Time allowed to open a connection, in milliseconds. */
  connectTimeoutMs: number;
  /** Time allowed for one attempt's response, in milliseconds. */
  requestTimeoutMs: number;
  /** Attempts per call, the first included. */
  maxAttempts: number;
}

/**
 * One document client per process, with timeouts and retries set so that an unreachable or
 * throttling store fails a request within about `maxAttempts * requestTimeoutMs` instead of the
 * SDK's default of waiting indefinitely. Each call's duration and failure go into the current
 * request's metrics (lib/metrics.ts).
 */
export function createDocumentClient(settings: DynamoClientSettings): DynamoDBDocumentClient {
  const local = settings.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: settings.region,
    endpoint: settings.endpoint,
    maxAttempts: settings.maxAttempts,
    retryMode: "standard",
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.connectTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      // Without this, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    }),
    // Local stores accept any credentials; a laptop without an AWS profile still works.
    credentials:
      local && !process.env.AWS_ACCESS_KEY_ID
        ? { accessKeyId: "local", secretAccessKey: "local" }
        : undefined,
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const metrics = currentRequestMetrics();
      if (metrics === undefined) return next(args);
      const startedAt = performance.now();
      try {
        return await next(args);
      } catch (error) {
        metrics.storeFailures.push(storeFailureKind(error));
        throw error;
      } finally {
        metrics.storeLatencies.push(Math.round((performance.now() - startedAt) * 10) / 10);
      }
    },
    // Around the retries: one latency per call, as the request waited for it.
    { step: "initialize", name: "picusRequestMetrics" },
  );
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: {
      convertEmptyValues: false,
      removeUndefinedValues: false,
      // A parsed JSON object with a "constructor" key looks like a class instance to the
      // marshaller, which would otherwise refuse it; stored data only ever comes from JSON.parse.
      convertClassInstanceToMap: true,
    },
  });
}
