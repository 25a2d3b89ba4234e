/** Child processes for the benchmark: loopback only, every wait bounded. */
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

const STDERR_TAIL_CHARS = 4000;
const STOP_TIMEOUT_MS = 10_000;

export const LOOPBACK = "127.0.0.1";

export interface ChildServer {
  readonly name: string;
  readonly port: number;
  readonly baseUrl: string;
  readonly child: ChildProcess;
  /** The last few thousand characters the process wrote to stderr, for error messages. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL if the process has not exited within 10 s. Resolves on exit. */
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  port: number;
  /** Arguments to `node`: flags, then the script and its arguments. */
  nodeArgs: readonly string[];
  env: NodeJS.ProcessEnv;
}

/** Starts `node <args>` with stdout discarded (as cheap a log sink as there is) and stderr kept. */
export function startNode(options: StartOptions): ChildServer {
  const child = spawn(process.execPath, options.nodeArgs, {
    env: options.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let tail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    name: options.name,
    port: options.port,
    baseUrl: `http://${LOOPBACK}:${options.port}`,
    child,
    stderrTail: () => tail,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const stopped = await Promise.race([
          exited.then(() => true),
          sleep(STOP_TIMEOUT_MS).then(() => false),
        ]);
        if (!stopped) child.kill("SIGKILL");
      }
      await exited;
    },
  };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request on a fresh connection; rejects on connection errors or after `timeoutMs`. */
export async function httpRequest(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: options.method ?? "GET",
        headers: options.headers,
        agent: false,
        timeout: options.timeoutMs ?? 5000,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`timed out: ${url}`)));
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/**
 * Polls `url` until it answers 200 and returns the milliseconds since `startedAt`
 * (a `performance.now()` reading). Fails if the process exits or `timeoutMs` passes first.
 */
export async function waitForOk(
  server: ChildServer,
  path: string,
  startedAt: number,
  timeoutMs: number,
): Promise<number> {
  const url = `${server.baseUrl}${path}`;
  const deadline = startedAt + timeoutMs;
  let lastProblem = "no answer yet";
  while (performance.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(
        `${server.name} exited (${server.child.exitCode ?? server.child.signalCode}) before ${path} answered 200:\n${server.stderrTail()}`,
      );
    }
    try {
      const response = await httpRequest(url, { timeoutMs: 1000 });
      if (response.status === 200) return performance.now() - startedAt;
      lastProblem = `status ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await sleep(5);
  }
  throw new Error(
    `${server.name}: ${url} did not answer 200 within ${timeoutMs} ms (${lastProblem}):\n${server.stderrTail()}`,
  );
}
