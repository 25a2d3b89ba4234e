/**
 * `npm run bench:list-memory`: the compiled service under a 256 MB heap (half the dev task's
 * memory) answers eight concurrent `GET /picus/list?limit=100` over 100 items of ~390 KB, five
 * times; prints the largest page and the process's peak RSS (VmHWM). Run `npm run build` first.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createLocalDynamoClient, ensureTable, startDynalite } from "../lib/dynalite";
import { freePort } from "../lib/free-port";
import { ALL_SCOPES, LOCAL_CLIENT_ID, localIssuer } from "../local/token-issuer";

async function main(): Promise<void> {
  const store = await startDynalite();
  const admin = createLocalDynamoClient(store.endpoint);
  await ensureTable(admin, "picus-bench");
  admin.destroy();
  const issuer = localIssuer(`http://127.0.0.1:${await freePort()}`);
  const jwks = createServer((req, res) => issuer.serveJwks(req, res, () => res.end()));
  jwks.listen(Number(new URL(issuer.issuer).port), "127.0.0.1");
  const port = await freePort();
  const entry = resolve(__dirname, "../dist/app/src/main.js");
  const service = spawn(process.execPath, ["--max-old-space-size=256", entry], {
    env: {
      ...{ PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: "warn", AWS_REGION: "us-east-1" },
      ...{ TABLE_NAME: "picus-bench", DYNAMODB_ENDPOINT: store.endpoint },
      ...{ AUTH_ISSUER: issuer.issuer, AUTH_CLIENT_IDS: LOCAL_CLIENT_ID },
    },
    stdio: "inherit",
  });
  const url = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${issuer.sign(ALL_SCOPES)}` };
  try {
    while (
      !(await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await sleep(100);
    for (let i = 0; i < 100; i++) {
      const body = JSON.stringify({ i, blob: `${i}`.padEnd(390 * 1024, "x") });
      const put = await fetch(`${url}/picus/put`, {
        method: "POST",
        body,
        headers: { ...headers, "content-type": "application/json" },
      });
      if (put.status !== 201) throw new Error(`put ${i}: ${put.status}`);
    }
    const sizes: number[] = [];
    for (let round = 0; round < 5; round++) {
      const pages = await Promise.all(
        Array.from({ length: 8 }, () => fetch(`${url}/picus/list?limit=100`, { headers })),
      );
      for (const page of pages) {
        if (page.status !== 200) throw new Error(`list: ${page.status}`);
        sizes.push((await page.text()).length);
      }
    }
    const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${service.pid}/status`, "utf8"));
    console.log(`40 pages of limit=100 (8 at once) over 100 items of ~390 KB: all 200`);
    console.log(
      `largest page ${(Math.max(...sizes) / 2 ** 20).toFixed(2)} MB; peak RSS ${(Number(peak?.[1]) / 1024).toFixed(0)} MB (heap cap 256 MB)`,
    );
  } finally {
    service.kill("SIGTERM");
    jwks.close();
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
