import "../app/src/tracing";
import { resolve } from "node:path";
import { z } from "zod";
import { parseEnvironment, portVariable, storeEnvironment, variable } from "../lib/config";
import { createLogger } from "../lib/logger";
import { DEFAULT_TABLE_NAME, startLocalStack } from "./local-stack";

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

const localEnvironment = z.object({
  PORT: portVariable,
  TABLE_NAME: variable(z.string().default(DEFAULT_TABLE_NAME)),
  DYNAMODB_ENDPOINT: storeEnvironment.shape.DYNAMODB_ENDPOINT,
  LOG_LEVEL: storeEnvironment.shape.LOG_LEVEL,
});

async function main(): Promise<void> {
  const env = parseEnvironment(localEnvironment, process.env);
  const logger = createLogger(env.LOG_LEVEL === "silent" ? "info" : env.LOG_LEVEL);
  const inherited = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const stack = await startLocalStack({
    port: env.PORT,
    dataDir: resolve(".data", "dynalite"),
    keyFile: resolve(".data", "local-issuer-key.pem"),
    dynamoEndpoint: env.DYNAMODB_ENDPOINT,
    tableName: env.TABLE_NAME,
  }).catch((error: unknown) => {
    logger.error({ err: error }, "the local stack failed to start");
    process.exit(1);
  });

  // The local stack owns the process: its shutdown closes the service first (Nest drains
  // in-flight requests) and the store last, so Nest's own signal handlers step aside.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!inherited.get(signal)?.includes(listener)) process.off(signal, listener);
    }
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
  const store = stack.dataDir
    ? `embedded dynalite, data in ${stack.dataDir}`
    : stack.dynamoEndpoint;
  logger.info(
    { url, table: stack.tableName, tableCreated: stack.tableCreated, dataDir: stack.dataDir },
    `picus is serving on ${url} with ${store}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
