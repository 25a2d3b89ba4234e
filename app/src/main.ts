import "./tracing";
import { ConfigError } from "../../lib/config";
import { identifyTaskDefinition } from "../../lib/metrics";
import { createApp } from "./app.factory";
import { loadAppConfig } from "./config/app.config";

async function main(): Promise<void> {
  const { port } = loadAppConfig();
  await identifyTaskDefinition();
  const app = await createApp();
  await app.listen(port);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
