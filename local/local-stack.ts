import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { NestExpressApplication } from "@nestjs/platform-express";
import { createApp } from "../app/src/app.factory";
import { createDeleteItemHandler } from "../functions/src/delete-item";
import { createAuthorizer } from "../lib/auth";
import { dynamoSettings, parseEnvironment, storeEnvironment } from "../lib/config";
import { createDocumentClient } from "../lib/dynamo-client";
import { createLocalDynamoClient, ensureTable, startDynalite } from "../lib/dynalite";
import { freePort } from "../lib/free-port";
import { createLogger } from "../lib/logger";
import { albBridge } from "./alb-bridge";
import { LOCAL_CLIENT_ID, localIssuer } from "./token-issuer";

export const DEFAULT_TABLE_NAME = "picus-local";

export interface LocalStackOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Where the embedded dynalite keeps its LevelDB files (created if missing); in memory when unset. */
  dataDir?: string;
  /** A running DynamoDB-compatible store (e.g. DynamoDB Local); no dynalite is started when set. */
  dynamoEndpoint?: string;
  tableName?: string;
  /** Where the token issuer keeps its signing key; a new key per start when unset. */
  keyFile?: string;
}

export type LocalStack = Awaited<ReturnType<typeof startLocalStack>>;

/**
 * The whole picus stack in one process, as on AWS but without an account: the Nest service,
 * the DELETE function behind the same routing rule as the ALB's, and a DynamoDB-compatible store.
 * Configuration reaches the service through process.env, as in the container.
 */
export async function startLocalStack(options: LocalStackOptions) {
  const { tableName = DEFAULT_TABLE_NAME } = options;
  const dynalite = options.dynamoEndpoint
    ? undefined
    : await startDynalite({ path: options.dataDir });
  const dynamoEndpoint = dynalite?.endpoint ?? String(options.dynamoEndpoint);
  let functionClient: DynamoDBDocumentClient | undefined;
  let app: NestExpressApplication | undefined;
  let closing: Promise<void> | undefined;
  /** Closes the service (draining in-flight requests), then the store. */
  const close = () =>
    (closing ??= (async () => {
      await app?.close();
      functionClient?.destroy();
      await dynalite?.close();
    })());
  try {
    const admin = createLocalDynamoClient(dynamoEndpoint);
    const tableCreated = await ensureTable(admin, tableName)
      .catch((error: unknown) => {
        throw new Error(
          `Could not create or find the table ${tableName} at ${dynamoEndpoint} (${String(error)}). ` +
            "With DYNAMODB_ENDPOINT set, is DynamoDB Local running (docker compose up -d)?",
          { cause: error },
        );
      })
      .finally(() => admin.destroy());
    // The issuer's URL names the port, so a free one is chosen before anything starts.
    const port = options.port || (await freePort());
    const issuer = localIssuer(`http://127.0.0.1:${port}`, options.keyFile);
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      AWS_REGION: process.env.AWS_REGION ?? "us-east-1",
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      AUTH_ISSUER: issuer.issuer,
      AUTH_CLIENT_IDS: LOCAL_CLIENT_ID,
    });
    const env = parseEnvironment(storeEnvironment, process.env);
    functionClient = createDocumentClient(dynamoSettings(env));
    const bridge = albBridge(
      createDeleteItemHandler({
        documentClient: functionClient,
        tableName,
        logger: createLogger(env.LOG_LEVEL),
        authorize: createAuthorizer({ ...issuer, clientIds: [LOCAL_CLIENT_ID] }),
      }),
    );
    // In front of the service, as the ALB's rule is in front of its default target: the issuer's
    // JWKS, then the DELETE function.
    app = await createApp({
      edge: (req, res, next) => issuer.serveJwks(req, res, () => bridge(req, res, next)),
    });
    await app.listen(port, "127.0.0.1");
    const dataDir = dynalite ? options.dataDir : undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dynamoEndpoint,
      dataDir,
      tableCreated,
      issuer,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
