import { ConfigValidationError, loadAppConfig } from "./config/app.config";
import { createApp } from "./app.factory";

async function main(): Promise<void> {
  const { port } = loadAppConfig();
  const app = await createApp();
  await app.listen(port);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigValidationError ? error.message : error;
  console.error(message);
  process.exit(1);
});
