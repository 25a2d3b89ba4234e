/**
 * `npm run check:prod-build`: reproduces app/Dockerfile without a Docker engine and runs the
 * result. The build context is copied as .dockerignore admits it, compiled with `npm run build`'s
 * tsconfig, given only `npm ci --omit=dev --ignore-scripts` dependencies, and started as the
 * image starts it (`node dist/app/src/main.js`, NODE_ENV=production, no npm or dev tools on
 * PATH) against a dynalite; then put/get/list/health and a SIGTERM exit are checked and the
 * figures that matter for the image are printed.
 */
import { execFile, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { createLocalDynamoClient, createTable, startDynalite } from "../lib/dynalite";
import { freePort } from "../lib/free-port";

const ROOT = resolve(__dirname, "..");
const run = promisify(execFile);

/** What .dockerignore lets into the build context (kept in step with it by hand). */
const CONTEXT = [
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "app/tsconfig.build.json",
  "app/src",
  "lib",
];
const EXCLUDED = [/\.spec\.ts$/, /\.e2e-spec\.ts$/, /^lib\/testing(\/|$)/];
const DEV_ONLY = [
  "typescript",
  "jest",
  "esbuild",
  "dynalite",
  "@nestjs/cli",
  "@nestjs/testing",
  "@pulumi/pulumi",
  "tsx",
  "node",
];

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

async function countPackages(nodeModules: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(nodeModules)) {
    if (entry.startsWith(".")) continue;
    count += entry.startsWith("@") ? (await readdir(join(nodeModules, entry))).length : 1;
  }
  return count;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "picus-prod-build-"));
  const context = join(work, "context");
  const image = join(work, "image");
  const figures: Record<string, string> = {};
  const dynalite = await startDynalite();
  try {
    // Build stage: the context as Docker sees it, compiled by `npm run build`'s command.
    for (const source of CONTEXT) {
      await cp(join(ROOT, source), join(context, source), {
        recursive: true,
        filter: (from) => !EXCLUDED.some((pattern) => pattern.test(from.slice(ROOT.length + 1))),
      });
    }
    // The build stage runs `npm ci --ignore-scripts`; the repository's node_modules stands in for it.
    await symlink(join(ROOT, "node_modules"), join(context, "node_modules"));
    let startedAt = Date.now();
    await run(
      process.execPath,
      [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "app/tsconfig.build.json"],
      {
        cwd: context,
      },
    );
    figures["compile (tsc)"] = `${Date.now() - startedAt} ms`;

    // Dependency stage and final stage.
    await mkdir(image);
    await cp(join(ROOT, "package.json"), join(image, "package.json"));
    await cp(join(ROOT, "package-lock.json"), join(image, "package-lock.json"));
    startedAt = Date.now();
    await run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: image,
      env: { ...process.env, npm_config_update_notifier: "false" },
    });
    figures["npm ci --omit=dev --ignore-scripts"] = `${Date.now() - startedAt} ms`;
    await cp(join(context, "dist"), join(image, "dist"), { recursive: true });

    const nodeModules = join(image, "node_modules");
    const present = [];
    for (const name of DEV_ONLY) {
      if (
        await stat(join(nodeModules, name)).then(
          () => true,
          () => false,
        )
      )
        present.push(name);
    }
    if (present.length > 0) throw new Error(`dev dependencies in the image: ${present.join(", ")}`);
    figures["node_modules (production)"] =
      `${mib(await sizeOf(nodeModules))} in ${await countPackages(nodeModules)} packages`;
    figures["dist"] = mib(await sizeOf(join(image, "dist")));

    // Run it as the container does.
    const admin = createLocalDynamoClient(dynalite.endpoint);
    await createTable(admin, "picus-prod-check");
    admin.destroy();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    startedAt = Date.now();
    const service = spawn(process.execPath, ["dist/app/src/main.js"], {
      cwd: image,
      env: {
        PATH: dirname(process.execPath),
        NODE_ENV: "production",
        PORT: String(port),
        TABLE_NAME: "picus-prod-check",
        AWS_REGION: "us-east-1",
        DYNAMODB_ENDPOINT: dynalite.endpoint,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const exited = new Promise<number | null>((done) => service.once("exit", done));
    try {
      for (;;) {
        const healthy = await fetch(`${url}/health`).then(
          (response) => response.ok,
          () => false,
        );
        if (healthy) break;
        if (service.exitCode !== null)
          throw new Error(`the service exited with ${service.exitCode}`);
        if (Date.now() - startedAt > 15_000)
          throw new Error("the service was not healthy within 15 s");
        await new Promise((done) => setTimeout(done, 25));
      }
      figures["start to healthy /health"] = `${Date.now() - startedAt} ms`;

      const put = await fetch(`${url}/picus/put`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ check: "prod-build" }),
      });
      if (put.status !== 201) throw new Error(`put answered ${put.status}: ${await put.text()}`);
      const { key } = (await put.json()) as { key: string };
      const got = await fetch(`${url}/picus/get/${key}`);
      if (got.status !== 200) throw new Error(`get answered ${got.status}`);
      const list = await fetch(`${url}/picus/list`);
      if (list.status !== 200) throw new Error(`list answered ${list.status}`);
      figures["put / get / list"] = `${put.status} / ${got.status} / ${list.status}`;
    } finally {
      startedAt = Date.now();
      service.kill("SIGTERM");
    }
    const code = await exited;
    figures["SIGTERM to exit"] = `${Date.now() - startedAt} ms, exit code ${code}`;
    if (code !== 0) throw new Error(`the service exited with ${code} on SIGTERM`);

    for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(38)} ${value}`);
    console.log("prod build check: ok");
  } finally {
    await dynalite.close();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(
    `prod build check failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
