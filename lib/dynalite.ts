import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Level } from "level";
import { createTableInput } from "./table";

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite ships without type definitions; this is the one place that loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createDynalite = require("dynalite") as (options: DynaliteOptions) => Server;

export interface DynaliteServer {
  /** The endpoint to pass as DYNAMODB_ENDPOINT, e.g. `http://127.0.0.1:41235`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** A directory for a LevelDB-backed store that survives restarts; in memory when unset. */
  path?: string;
  port?: number;
}

/**
 * LevelDB lets one process at a time open a store. dynalite only opens it on the first request
 * and then throws "Database is closed" outside any callback, so the lock is checked first.
 */
async function assertStoreFree(path: string): Promise<void> {
  const store = new Level(path);
  try {
    await store.open();
  } catch (error) {
    const { cause } = error as { cause?: { code?: unknown } };
    if (cause?.code === "LEVEL_LOCKED") {
      throw new Error(
        `The dynalite data directory ${path} is in use by another process ` +
          "(another npm start or npm run dev?); stop it first",
        { cause: error },
      );
    }
    throw error;
  }
  await store.close();
}

/** Starts an in-process dynalite on the loopback interface; tables become ACTIVE immediately. */
export async function startDynalite(options: StartDynaliteOptions = {}): Promise<DynaliteServer> {
  if (options.path !== undefined) await assertStoreFree(options.path);
  const server = createDynalite({
    path: options.path,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * A low-level client for a local store (any credentials are accepted there) that gives up
 * within seconds when nothing answers at the endpoint.
 */
export function createLocalDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: 2000,
      requestTimeout: 5000,
      throwOnRequestTimeout: true,
    }),
  });
}

/** Creates the picus table (schema from lib/table.ts) unless it exists; returns whether it did. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  let created = true;
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  return created;
}
