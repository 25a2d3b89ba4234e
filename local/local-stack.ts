import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { createApp } from "../app/src/app.factory";
import { createDocumentClient } from "../lib/dynamo-client";
import {
  createLocalDynamoClient,
  ensureTable,
  startDynalite,
  type DynaliteServer,
} from "../lib/testing/dynalite";
import { readConfig } from "../functions/src/delete-item/config";
import { createDeleteItemHandler } from "../functions/src/delete-item/create-handler";
import { createLogger } from "../functions/src/delete-item/logger";
import { albBridge } from "./alb-bridge";

export const DEFAULT_TABLE_NAME = "picus-local";
export const DEFAULT_REGION = "us-east-1";

export interface LocalStackOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Where the embedded dynalite keeps its LevelDB files (created if missing). */
  dataDir: string;
  /** A running DynamoDB-compatible store (e.g. DynamoDB Local); no dynalite is started when set. */
  dynamoEndpoint?: string;
  tableName?: string;
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
  let dynalite: DynaliteServer | undefined;
  let dataDir: string | undefined;
  let dynamoEndpoint = options.dynamoEndpoint;
  if (dynamoEndpoint === undefined) {
    dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true });
    dynalite = await startDynalite({ path: dataDir });
    dynamoEndpoint = dynalite.endpoint;
  }

  const env = {
    TABLE_NAME: tableName,
    AWS_REGION: process.env.AWS_REGION ?? DEFAULT_REGION,
    DYNAMODB_ENDPOINT: dynamoEndpoint,
  };
  try {
    const admin = createLocalDynamoClient(dynamoEndpoint);
    const tableCreated = await ensureTable(admin, tableName).finally(() => admin.destroy());

    Object.assign(process.env, env);
    const functionConfig = readConfig(process.env);
    const functionClient = createDocumentClient(functionConfig.dynamo);
    const deleteItem = createDeleteItemHandler({
      documentClient: functionClient,
      tableName: functionConfig.tableName,
      logger: createLogger(functionConfig.logLevel),
    });

    const app = await createApp();
    app.use(albBridge(deleteItem));
    await app.listen(options.port, "127.0.0.1");
    const { port } = app.getHttpServer().address() as AddressInfo;

    let closing: Promise<void> | undefined;
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      dynamoEndpoint,
      tableName,
      dataDir,
      tableCreated,
      close() {
        closing ??= (async () => {
          try {
            await app.close();
          } finally {
            functionClient.destroy();
            await dynalite?.close();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await dynalite?.close();
    throw error;
  }
}
