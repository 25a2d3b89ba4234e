import { runSmoke, SmokeFailure } from "./run-smoke";

/** `npm run smoke -- <base-url>`: exit 0 when every check passes, 1 on a failed check, 2 on bad usage. */
async function main([baseUrl, ...rest]: string[]): Promise<number> {
  const readyTimeoutMs = Number(process.env.SMOKE_READY_TIMEOUT_MS ?? 120_000);
  if (baseUrl === undefined || rest.length > 0 || !/^https?:\/\//.test(baseUrl)) {
    console.error("usage: npm run smoke -- <base-url>   (e.g. http://localhost:3000)");
    return 2;
  }
  if (!Number.isInteger(readyTimeoutMs) || readyTimeoutMs <= 0) {
    console.error("SMOKE_READY_TIMEOUT_MS must be a positive whole number of milliseconds");
    return 2;
  }
  try {
    await runSmoke({ baseUrl, readyTimeoutMs });
    console.log(`smoke test passed against ${baseUrl}`);
    return 0;
  } catch (error: unknown) {
    if (!(error instanceof SmokeFailure)) throw error;
    console.error(`smoke test FAILED at ${error.message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error("smoke test crashed:", error);
    process.exitCode = 1;
  },
);
