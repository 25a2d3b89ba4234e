import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request as httpRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import {
  createLocalDynamoClient,
  ensureTable,
  startDynalite,
  type DynaliteServer,
} from "../../lib/dynalite";
import { freePort } from "../../lib/free-port";
import type { AuthSettings } from "../../lib/auth";
import { ALL_SCOPES, testAuthSettings, testIssuer } from "../../lib/testing/issuer";
import { TEST_TABLE } from "./test-app";

const ROOT = resolve(__dirname, "../..");

interface ServiceProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnService(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? "", NODE_PATH: join(ROOT, "node_modules"), ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  return {
    child,
    url: `http://127.0.0.1:${env.PORT ?? "3000"}`,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
  };
}

async function get(url: string, headers: Record<string, string> = {}, agent?: Agent) {
  return new Promise<{ status: number; body: string }>((done, fail) => {
    const req = httpRequest(url, { headers, agent: agent ?? false }, (res: IncomingMessage) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", fail);
    req.end();
  });
}

async function waitUntilHealthy(service: ServiceProcess): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      if ((await get(`${service.url}/health`)).status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (service.child.exitCode !== null) throw new Error(`exited early: ${service.stderr()}`);
    if (performance.now() - started > 15_000) throw new Error("not healthy within 15 s");
    await sleep(50);
  }
}

describe("the compiled service, run as a process", () => {
  let buildDir: string;
  let entry: string;
  let store: DynaliteServer;
  const running: ServiceProcess[] = [];
  let auth: AuthSettings;

  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), "picus-build-"));
    const tsc = require.resolve("typescript/bin/tsc");
    const config = join(ROOT, "app/tsconfig.build.json");
    await promisify(execFile)(process.execPath, [tsc, "-p", config, "--outDir", buildDir]);
    entry = join(buildDir, "app/src/main.js");
    auth = await testAuthSettings();
    store = await startDynalite();
    const client = createLocalDynamoClient(store.endpoint);
    await ensureTable(client, TEST_TABLE);
    client.destroy();
  }, 60_000);

  afterAll(async () => {
    for (const service of running)
      if (service.child.exitCode === null) service.child.kill("SIGKILL");
    await store?.close();
    await rm(buildDir, { recursive: true, force: true });
  });

  async function start(extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = spawnService(entry, {
      TABLE_NAME: TEST_TABLE,
      AWS_REGION: "us-east-1",
      DYNAMODB_ENDPOINT: store.endpoint,
      PORT: String(await freePort()),
      LOG_LEVEL: "info",
      AUTH_ISSUER: auth.issuer,
      AUTH_CLIENT_IDS: auth.clientIds.join(","),
      ...extraEnv,
    });
    running.push(service);
    await waitUntilHealthy(service);
    return service;
  }

  it("refuses to start on bad configuration, naming each problem", async () => {
    const service = spawnService(entry, {
      AWS_REGION: "us-east-1",
      DYNAMODB_MAX_ATTEMPTS: "lots",
      LOG_LEVEL: "loud",
    });
    running.push(service);
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.stderr()).toMatch(/TABLE_NAME is not set/);
    expect(service.stderr()).toMatch(/DYNAMODB_MAX_ATTEMPTS is invalid \("lots"\)/);
    expect(service.stderr()).toMatch(/LOG_LEVEL is invalid \("loud"\)/);
    expect(service.stdout()).toBe("");
  });

  it("logs one JSON object per line, with the request id, at the configured level", async () => {
    const service = await start();
    await get(`${service.url}/health`, { "x-request-id": "process-test-1" });
    service.child.kill("SIGTERM");
    await service.exited;
    const lines = service
      .stdout()
      .split("\n")
      .filter((line) => line !== "");
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(0);
    expect(records).toContainEqual(
      expect.objectContaining({ reqId: "process-test-1", msg: "request completed", level: 30 }),
    );

    const quiet = await start({ LOG_LEVEL: "warn" });
    await get(`${quiet.url}/health`);
    quiet.child.kill("SIGTERM");
    await quiet.exited;
    expect(quiet.stdout()).toBe("");
  });

  it("on SIGTERM stops accepting, finishes the in-flight request and exits 0 promptly", async () => {
    const service = await start({ LOG_LEVEL: "warn" });
    // A client whose request the parser rejected, still connected: it must not delay the exit.
    const rejected = connect(Number(new URL(service.url).port), "127.0.0.1", () =>
      rejected.write("GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
    );
    rejected.on("error", () => undefined);
    const keepAlive = new Agent({ keepAlive: true });
    expect((await get(`${service.url}/health`, {}, keepAlive)).status).toBe(200);

    const body = Buffer.from(JSON.stringify({ inFlight: true, padding: "x".repeat(1000) }));
    const bearer = `Bearer ${(await testIssuer()).sign(ALL_SCOPES)}`;
    const response = new Promise<{ status: number; body: string; connection?: string }>(
      (done, fail) => {
        const req = httpRequest(
          `${service.url}/picus/put`,
          {
            method: "POST",
            agent: false,
            headers: {
              "Content-Type": "application/json",
              "Content-Length": body.length,
              Authorization: bearer,
            },
          },
          (res) => {
            let text = "";
            res.on("data", (chunk: Buffer) => (text += chunk.toString()));
            res.on("end", () =>
              done({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }),
            );
          },
        );
        req.on("error", fail);
        req.write(body.subarray(0, 100));
        setTimeout(() => req.end(body.subarray(100)), 1_000);
      },
    );
    await sleep(300);
    const signalled = performance.now();
    service.child.kill("SIGTERM");
    await sleep(300);
    await expect(get(`${service.url}/health`)).rejects.toMatchObject({ code: "ECONNREFUSED" });

    const finished = await response;
    expect(finished.status).toBe(201);
    expect(finished.connection).toBe("close");
    expect(JSON.parse(finished.body)).toEqual({ key: expect.any(String) });
    const { code, signal } = await service.exited;
    keepAlive.destroy();
    rejected.destroy();
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(8_000);
  });

  it("on SIGTERM answers an upload still arriving after 9 s with 503, logs it, and exits 0 within 10 s", async () => {
    const service = await start({ LOG_LEVEL: "info" });
    const { port } = new URL(service.url);
    const sockets = [
      "GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
      "POST /picus/put HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    ].map((bytes) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write(bytes));
      socket.on("error", () => undefined);
      return socket;
    });
    await sleep(300);

    const signalled = performance.now();
    service.child.kill("SIGTERM");
    const { code } = await service.exited;
    const took = performance.now() - signalled;
    sockets.forEach((socket) => socket.destroy());

    expect(code).toBe(0);
    expect(took).toBeGreaterThan(8_500);
    expect(took).toBeLessThan(10_000);
    const lines = service
      .stdout()
      .split("\n")
      .filter((line) => line.includes('"url":"/picus/put"'))
      .map((line) => JSON.parse(line) as { msg: string });
    expect(lines).toEqual([
      expect.objectContaining({ msg: "request errored", res: { statusCode: 503 } }),
    ]);
  }, 20_000);
});
