import "../app/src/tracing";
import { resolve } from "node:path";
import { z } from "zod";
import {
  ConfigError,
  parseEnvironment,
  portVariable,
  storeEnvironment,
  variable,
} from "../lib/config";
import { createLogger } from "../lib/logger";
import { DEFAULT_TABLE_NAME, startLocalStack } from "./local-stack";

const localEnvironment = storeEnvironment
  .pick({ DYNAMODB_ENDPOINT: true, LOG_LEVEL: true })
  .extend({
    PORT: portVariable,
    TABLE_NAME: variable(z.string().default(DEFAULT_TABLE_NAME)),
  });

async function main(): Promise<void> {
  const env = parseEnvironment(localEnvironment, process.env);
  // The serving line below is printed even at LOG_LEVEL=silent.
  const logger = createLogger(env.LOG_LEVEL === "silent" ? "info" : env.LOG_LEVEL);
  const dataDir = env.DYNAMODB_ENDPOINT ? undefined : resolve(".data", "dynalite");
  const stack = await startLocalStack({
    port: env.PORT,
    dataDir,
    keyFile: resolve(".data", "local-issuer-key.pem"),
    dynamoEndpoint: env.DYNAMODB_ENDPOINT,
    tableName: env.TABLE_NAME,
  });

  // The local stack owns the process: its shutdown closes the service first (Nest drains
  // in-flight requests) and the store last, so Nest's own signal handlers step aside.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      logger.info(`${signal} received, shutting down`);
      process.once(signal, () => process.exit(1));
      stack.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }

  const url = `http://localhost:${stack.port}`;
  const store = dataDir ? `embedded dynalite, data in ${dataDir}` : env.DYNAMODB_ENDPOINT;
  logger.info(
    { url, table: env.TABLE_NAME, tableCreated: stack.tableCreated, dataDir },
    `picus is serving on ${url} with ${store}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
