import { resolve } from "node:path";
import { CONTAINER_PORT } from "../lib/routes";
import { startLocalStack } from "./local-stack";

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

/** pino-shaped lines, like the service's and the function's. */
function log(level: "info" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({
    level: level === "info" ? 30 : 50,
    time: Date.now(),
    ...fields,
    msg,
  });
  (level === "error" ? process.stderr : process.stdout).write(`${line}\n`);
}

function portFromEnv(): number {
  const raw = process.env.PORT?.trim() || String(CONTAINER_PORT);
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got "${process.env.PORT}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const port = portFromEnv();
  const dynamoEndpoint = process.env.DYNAMODB_ENDPOINT?.trim() || undefined;
  const dataDir = resolve(".data", "dynalite");
  const inherited = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));

  const stack = await startLocalStack({
    port,
    dataDir,
    dynamoEndpoint,
    tableName: process.env.TABLE_NAME?.trim() || undefined,
  });

  // The local stack owns the process: its shutdown closes the service first (Nest drains
  // in-flight requests) and the store last, so Nest's own signal handlers step aside.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!inherited.get(signal)?.includes(listener)) process.off(signal, listener);
    }
    process.once(signal, () => {
      log("info", `${signal} received, shutting down`);
      process.once(signal, () => process.exit(1));
      stack.close().then(
        () => process.exit(0),
        (error: unknown) => {
          log("error", "shutdown failed", { error: String(error) });
          process.exit(1);
        },
      );
    });
  }

  const url = `http://localhost:${stack.port}`;
  const store = stack.dataDir
    ? `embedded dynalite, data in ${stack.dataDir}`
    : `the store at ${stack.dynamoEndpoint}`;
  log("info", `picus is serving on ${url} with ${store}`, {
    url,
    table: stack.tableName,
    tableCreated: stack.tableCreated,
    dynamoEndpoint: stack.dynamoEndpoint,
    dataDir: stack.dataDir,
  });
}

main().catch((error: unknown) => {
  log("error", "the local stack failed to start", {
    error: error instanceof Error ? error.message : String(error),
  });
  process.exit(1);
});
