/**
 * The image's layout without Docker: production dependencies and `dist/` in a temporary folder,
 * started as the image starts it; it must serve put, get and list, and exit 0 on SIGTERM.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createLocalDynamoClient, ensureTable, startDynalite } from "../lib/dynalite";
import { freePort } from "../lib/free-port";
import { ALL_SCOPES, LOCAL_CLIENT_ID, localIssuer } from "../local/token-issuer";

const ROOT = resolve(__dirname, "..");
const TABLE = "picus-prod-check";

async function expectStatus(url: string, status: number, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  if (response.status !== status) {
    throw new Error(`${init?.method ?? "GET"} ${url} answered ${response.status}, not ${status}`);
  }
  return response.json();
}

async function main(): Promise<void> {
  const image = mkdtempSync(join(tmpdir(), "picus-prod-build-"));
  const dynalite = await startDynalite();
  try {
    for (const file of ["package.json", "package-lock.json"]) {
      copyFileSync(join(ROOT, file), join(image, file));
    }
    execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: image,
      stdio: "inherit",
    });
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const tsconfig = join(ROOT, "app/tsconfig.build.json");
    execFileSync(process.execPath, [tsc, "-p", tsconfig, "--outDir", join(image, "dist")]);

    const admin = createLocalDynamoClient(dynalite.endpoint);
    await ensureTable(admin, TABLE);
    admin.destroy();
    const port = await freePort();
    // The production build verifies tokens as in AWS; a local issuer serves its JWKS here.
    const issuer = localIssuer(`http://127.0.0.1:${await freePort()}`);
    const jwks = createServer((req, res) =>
      issuer.serveJwks(req, res, () => res.writeHead(404).end()),
    );
    jwks.listen(Number(new URL(issuer.issuer).port), "127.0.0.1");
    const authorization = `Bearer ${issuer.sign(ALL_SCOPES)}`;
    const service = spawn(process.execPath, ["dist/app/src/main.js"], {
      cwd: image,
      env: {
        PATH: dirname(process.execPath),
        NODE_ENV: "production",
        PORT: String(port),
        TABLE_NAME: TABLE,
        AWS_REGION: "us-east-1",
        DYNAMODB_ENDPOINT: dynalite.endpoint,
        LOG_LEVEL: "warn",
        AUTH_ISSUER: issuer.issuer,
        AUTH_CLIENT_IDS: LOCAL_CLIENT_ID,
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const exited = once(service, "exit") as Promise<[number | null]>;
    const url = `http://127.0.0.1:${port}`;
    try {
      const healthy = () =>
        fetch(`${url}/health`)
          .then((response) => response.ok)
          .catch(() => false);
      const deadline = Date.now() + 15_000;
      while (!(await healthy())) {
        if (service.exitCode !== null || Date.now() > deadline) {
          throw new Error("the service did not become healthy within 15 s");
        }
        await new Promise((done) => setTimeout(done, 50));
      }
      const { key } = (await expectStatus(`${url}/picus/put`, 201, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify({ check: "prod-build" }),
      })) as { key: string };
      await expectStatus(`${url}/picus/get/${key}`, 200, { headers: { authorization } });
      await expectStatus(`${url}/picus/list`, 200, { headers: { authorization } });
    } finally {
      service.kill("SIGTERM");
      jwks.close();
    }
    const [code] = await exited;
    if (code !== 0) throw new Error(`the service exited with ${code} on SIGTERM`);
    console.log("prod build check: ok (production dependencies only; put, get, list; SIGTERM → 0)");
  } finally {
    await dynalite.close();
    rmSync(image, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error("prod build check failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
