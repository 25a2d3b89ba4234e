/**
 * Runs the compiled Nest service (`npm run build` output) the way dist/app/src/main.js does, but
 * listening on the loopback interface only: main.js listens on all interfaces, as a container must.
 * Bundled to dist/bench/nest-server.js, next to the build it loads.
 */
import { join } from "node:path";
import type { createApp as CreateApp } from "../app/src/app.factory";

const FACTORY = join(__dirname, "../app/src/app.factory.js");

async function main(): Promise<void> {
  const { createApp } = (await import(FACTORY)) as { createApp: typeof CreateApp };
  const app = await createApp();
  await app.listen(Number(process.env.PORT), process.env.HOST ?? "127.0.0.1");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
