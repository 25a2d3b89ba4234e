import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { ALL_SCOPES, localIssuer } from "./token-issuer";

const ROOT = resolve(__dirname, "..");
// Inside the repository, so the compiled files resolve node_modules as dist/ does.
const OUT_DIR = join(ROOT, "dist", `.e2e-local-main-${process.pid}`);

interface Running {
  child: ChildProcess;
  url: string;
  dataDir: string;
  exited: Promise<number | null>;
}

/** Runs the compiled entry as `npm start` does, and waits for its "serving" line. */
async function startMain(cwd: string, signalTimeoutMs = 15_000): Promise<Running> {
  const child = spawn(process.execPath, [join(OUT_DIR, "local", "main.js")], {
    cwd,
    env: { PATH: process.env.PATH, PORT: "0", LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  let output = "";
  const ready = await new Promise<{ url: string; dataDir: string }>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`no serving line in:\n${output}`)),
      signalTimeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split("\n")) {
        if (!line.includes("picus is serving")) continue;
        clearTimeout(timer);
        const { url, dataDir } = JSON.parse(line) as { url: string; dataDir: string };
        done({ url: url.replace("localhost", "127.0.0.1"), dataDir });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => fail(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, exited, ...ready };
}

async function stop(running: Running, signal: NodeJS.Signals): Promise<number | null> {
  running.child.kill(signal);
  return running.exited;
}

describe("npm start (the compiled local entry)", () => {
  let cwd: string;

  beforeAll(async () => {
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, "node_modules", "typescript", "bin", "tsc"),
        "-p",
        join(ROOT, "tsconfig.local.json"),
        "--outDir",
        OUT_DIR,
        "--tsBuildInfoFile",
        join(OUT_DIR, ".tsbuildinfo"),
      ],
      { cwd: ROOT },
    );
    cwd = await mkdtemp(join(tmpdir(), "picus-main-"));
  }, 60_000);

  afterAll(async () => {
    await rm(OUT_DIR, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  });

  const bearerFor = (url: string) =>
    `Bearer ${localIssuer(url, join(cwd, ".data", "local-issuer-key.pem")).sign(ALL_SCOPES)}`;

  it("keeps data in .data/dynalite and shuts down cleanly on SIGTERM and SIGINT", async () => {
    // Prepare
    const first = await startMain(cwd);
    const put = await fetch(`${first.url}/picus/put`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: bearerFor(first.url) },
      body: JSON.stringify({ kept: true }),
    });
    const { key } = (await put.json()) as { key: string };

    // Act
    const startedStopping = Date.now();
    const firstExit = await stop(first, "SIGTERM");
    const stopMs = Date.now() - startedStopping;
    const second = await startMain(cwd);
    // The signing key kept under .data/ is the one the second start verifies with.
    const headers = { authorization: bearerFor(second.url) };
    const got = await fetch(`${second.url}/picus/get/${key}`, { headers });
    const deleted = await fetch(`${second.url}/picus/${key}`, { method: "DELETE", headers });
    const secondExit = await stop(second, "SIGINT");

    // Assess
    expect(first.dataDir).toBe(join(cwd, ".data", "dynalite"));
    expect(firstExit).toBe(0);
    expect(stopMs).toBeLessThan(5000);
    expect(got.status).toBe(200);
    expect(deleted.status).toBe(204);
    expect(secondExit).toBe(0);
  }, 60_000);
});
