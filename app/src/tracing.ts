import type { OnApplicationShutdown } from "@nestjs/common";
import { tracingEnabled } from "../../lib/config";
import type * as TracingSdk from "./tracing-sdk";

/**
 * Imported first by main.ts and the local stack, so that the instrumented modules load after it.
 * The SDK takes about a second to load, so it is only loaded when the environment turns tracing
 * on (see tracingEnabled); otherwise this module costs nothing.
 */
export const serviceTracing = tracingEnabled(process.env)
  ? // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("./tracing-sdk") as typeof TracingSdk).startServiceTracing()
  : undefined;

/** Sends the spans still buffered before the process exits (a Nest provider of AppModule). */
export class TracingShutdown implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await serviceTracing?.shutdown();
  }
}
