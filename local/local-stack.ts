import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { createApp } from "../app/src/app.factory";
import { createDeleteItemHandler } from "../functions/src/delete-item";
import { createAuthorizer } from "../lib/auth";
import {
  authEnvironment,
  authSettings,
  dynamoSettings,
  parseEnvironment,
  storeEnvironment,
} from "../lib/config";
import { createDocumentClient } from "../lib/dynamo-client";
import { createLocalDynamoClient, ensureTable, startDynalite } from "../lib/dynalite";
import { freePort } from "../lib/free-port";
import { createLogger } from "../lib/logger";
import { albBridge } from "./alb-bridge";
import { LOCAL_CLIENT_ID, localIssuer, type LocalIssuer } from "./token-issuer";

export const DEFAULT_TABLE_NAME = "picus-local";
const DEFAULT_REGION = "us-east-1";

export interface LocalStackOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Where the embedded dynalite keeps its LevelDB files (created if missing). */
  dataDir: string;
  /** A running DynamoDB-compatible store (e.g. DynamoDB Local); no dynalite is started when set. */
  dynamoEndpoint?: string;
  tableName?: string;
  /** Where the token issuer keeps its signing key; a new key per start when unset. */
  keyFile?: string;
}

export interface LocalStack {
  /** e.g. `http://127.0.0.1:3000` */
  readonly url: string;
  readonly port: number;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  /** The dynalite data directory, or undefined when an external store is used. */
  readonly dataDir: string | undefined;
  readonly tableCreated: boolean;
  /** Signs tokens the stack accepts. */
  readonly issuer: LocalIssuer;
  /** Closes the service (draining in-flight requests), then the embedded store. */
  close(): Promise<void>;
}

/**
 * The whole picus stack in one process, as on AWS but without an account: the Nest service,
 * the DELETE function behind the same routing rule as the ALB's, and a DynamoDB-compatible store.
 * Configuration reaches the service through process.env, as in the container.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const tableName = options.tableName ?? DEFAULT_TABLE_NAME;
  // Whatever has started is stopped again, last first, if a later step fails.
  const started: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  };
  try {
    let dataDir: string | undefined;
    let dynamoEndpoint = options.dynamoEndpoint;
    if (dynamoEndpoint === undefined) {
      dataDir = resolve(options.dataDir);
      await mkdir(dataDir, { recursive: true });
      const dynalite = await startDynalite({ path: dataDir });
      started.push(() => dynalite.close());
      dynamoEndpoint = dynalite.endpoint;
    }
    const tableCreated = await createTableIfMissing(dynamoEndpoint, tableName);

    // The issuer's URL names the port, so a free one is chosen before anything starts.
    const port = options.port === 0 ? await freePort() : options.port;
    const issuer = localIssuer(`http://127.0.0.1:${port}`, options.keyFile);
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      AWS_REGION: process.env.AWS_REGION ?? DEFAULT_REGION,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      AUTH_ISSUER: issuer.issuer,
      AUTH_CLIENT_IDS: LOCAL_CLIENT_ID,
    });
    const env = parseEnvironment(storeEnvironment.extend(authEnvironment.shape), process.env);
    const functionClient = createDocumentClient(dynamoSettings(env));
    started.push(() => Promise.resolve(functionClient.destroy()));
    const bridge = albBridge(
      createDeleteItemHandler({
        documentClient: functionClient,
        tableName: env.TABLE_NAME,
        logger: createLogger(env.LOG_LEVEL),
        authorize: createAuthorizer(authSettings(env)),
      }),
    );

    // In front of the service, as the ALB's rule is in front of its default target: the issuer's
    // JWKS, then the DELETE function.
    const app = await createApp({
      edge: (req, res, next) => issuer.serveJwks(req, res, () => bridge(req, res, next)),
    });
    started.push(() => app.close());
    await app.listen(port, "127.0.0.1");

    let closing: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dynamoEndpoint,
      tableName,
      dataDir,
      tableCreated,
      issuer,
      close: () => (closing ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function createTableIfMissing(endpoint: string, tableName: string): Promise<boolean> {
  const admin = createLocalDynamoClient(endpoint);
  try {
    return await ensureTable(admin, tableName);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not create or find the table ${tableName} at ${endpoint} (${reason}). ` +
        "With DYNAMODB_ENDPOINT set, is DynamoDB Local running (docker compose up -d)?",
      { cause: error },
    );
  } finally {
    admin.destroy();
  }
}
