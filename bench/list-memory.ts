/**
 * `npm run bench:list-memory`: the compiled service under a 256 MB heap (half the dev task's
 * memory) serves eight concurrent `GET /picus/list?limit=100` over 100 items of ~390 KB, for a
 * few rounds; prints the pages' sizes and the process's peak RSS (VmHWM). Before pages were
 * bounded in bytes, one such page was ~40 MB and eight at once crashed the process.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createLocalDynamoClient, ensureTable, startDynalite } from "../lib/dynalite";
import { freePort } from "../lib/free-port";

const ROOT = resolve(__dirname, "..");
const ITEMS = 100;
const CONCURRENT = 8;
const ROUNDS = 5;

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "picus-list-memory-"));
  const store = await startDynalite();
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [
    tsc,
    "-p",
    join(ROOT, "app/tsconfig.build.json"),
    "--outDir",
    out,
  ]);
  const admin = createLocalDynamoClient(store.endpoint);
  await ensureTable(admin, "picus-bench");
  admin.destroy();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = spawn(
    process.execPath,
    ["--max-old-space-size=256", join(out, "app/src/main.js")],
    {
      env: {
        PATH: process.env.PATH,
        NODE_PATH: join(ROOT, "node_modules"),
        PORT: String(port),
        TABLE_NAME: "picus-bench",
        AWS_REGION: "us-east-1",
        DYNAMODB_ENDPOINT: store.endpoint,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const exited = new Promise<number | null>((done) => service.once("exit", done));
  try {
    while (
      !(await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      await sleep(100);
    for (let i = 0; i < ITEMS; i++) {
      const body = JSON.stringify({ i, blob: `${i}`.padEnd(390 * 1024, "x") });
      const put = await fetch(`${url}/picus/put`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      if (put.status !== 201) throw new Error(`put ${i}: ${put.status}`);
    }
    const sizes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const pages = await Promise.all(
        Array.from({ length: CONCURRENT }, () => fetch(`${url}/picus/list?limit=100`)),
      );
      for (const page of pages) {
        if (page.status !== 200) throw new Error(`list: ${page.status}`);
        sizes.push((await page.text()).length);
      }
    }
    const status = readFileSync(`/proc/${service.pid}/status`, "utf8");
    const peak = /VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? "?";
    console.log(
      `${ROUNDS} rounds × ${CONCURRENT} concurrent pages of limit=100 over ${ITEMS} items of ~390 KB`,
    );
    console.log(
      `largest page ${(Math.max(...sizes) / 1024 / 1024).toFixed(2)} MB; all ${sizes.length} answered 200`,
    );
    console.log(
      `service alive: ${service.exitCode === null}; peak RSS ${(Number(peak) / 1024).toFixed(0)} MB (heap cap 256 MB)`,
    );
  } finally {
    service.kill("SIGTERM");
    await exited;
    await store.close();
    rmSync(out, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
