/**
 * `npm run bench`: put and get through the compiled service, plain Express 5 and bare node:http
 * (bench/servers.ts) against one dynalite, with PASS/MISS for docs/decisions/0001's targets, and
 * the service again with tracing on at production's sampling ratio (`traced`), exporting to a
 * sink that accepts OTLP as the ADOT collector would.
 * Exits 1 only when the figures are not valid (a server fails to start, answers unlike the
 * service, or fails requests under load).
 */
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isDeepStrictEqual, parseArgs } from "node:util";
import autocannon from "autocannon";
import { buildSync } from "esbuild";
import { parse } from "yaml";
import { freePort } from "../lib/free-port";
import { ALL_SCOPES, LOCAL_CLIENT_ID, localIssuer } from "../local/token-issuer";
import { HEALTH_CHECK_PATH } from "../lib/routes";
import { GET_PREFIX, PUT_PATH } from "./servers";
import { median, percentile } from "./stats";

const ROOT = resolve(__dirname, "..");
const SERVERS = join(ROOT, "dist/bench/servers.js");
const TRACING = join(ROOT, "dist/app/src/tracing.js");
const NAMES = ["nest", "express", "bare", "open", "traced"];
const SCENARIOS = ["put", "get"];
const TARGET = { rps: 0.95, cpu: 1.05, healthyMs: 1000, tracedCpu: 1.1 };
/** Production's sampling: the share of requests whose traces are kept and sent. */
const TRACED_ENV = {
  OTEL_TRACES_EXPORTER: "otlp",
  OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
  OTEL_TRACES_SAMPLER_ARG: "0.05",
};
const PUT_BODY = JSON.stringify({ name: "item", count: 42, tags: ["a"], owner: { id: "u-1" } });
/** Every server but `open` checks tokens as the service does; the bench is their issuer. */
const issuer = localIssuer(`http://127.0.0.1:${process.env.BENCH_ISSUER_PORT ?? 43_117}`);
const AUTH = { authorization: `Bearer ${issuer.sign(ALL_SCOPES)}` };
const PUT = {
  method: "POST",
  headers: { ...AUTH, "content-type": "application/json" },
  body: PUT_BODY,
} as const;
/** Seconds of unmeasured load per server and scenario first; cold starts timed. */
const [WARMUP, STARTS] = [2, 5];

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    "no-build": { type: "boolean", default: false },
  },
});
const numbers = [values.rounds, values.duration, values.connections].map(Number);
const [rounds, duration, connections] = numbers;
if (!numbers.every((value) => Number.isInteger(value) && value > 0)) {
  throw new Error("--rounds, --duration and --connections take whole numbers above 0");
}

/** The production task's level: picus:logLevel in Pulumi.prod.yaml, else infra's default. */
const prod = parse(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
  config: Record<string, unknown>;
};
const prodLevel = prod.config["picus:logLevel"];
const LOG_LEVEL = typeof prodLevel === "string" ? prodLevel : "info";

const children = new Set<ChildProcess>();
const ENV = {
  NODE_ENV: "production",
  TABLE_NAME: "picus-bench",
  AWS_REGION: "us-east-1",
  AUTH_ISSUER: issuer.issuer,
  AUTH_CLIENT_IDS: LOCAL_CLIENT_ID,
};
const env = (extra = {}) => ({ PATH: process.env.PATH, LOG_LEVEL, ...ENV, ...extra });

async function stop(child: ChildProcess): Promise<void> {
  children.delete(child);
  const running = child.exitCode === null && child.signalCode === null;
  if (running && child.kill("SIGKILL")) await once(child, "exit");
}

async function startStore(): Promise<string> {
  const stdio = ["ignore", "ignore", "inherit", "ipc"] as const;
  const child = fork(SERVERS, ["store"], { env: env(), execArgv: [], stdio: [...stdio] });
  children.add(child);
  const failed = once(child, "exit").then(() => Promise.reject(new Error("dynalite exited")));
  const [endpoint] = (await Promise.race([once(child, "message"), failed])) as unknown[];
  return String(endpoint);
}

type Server = { name: string; url: string; child: ChildProcess; healthyMs: number };

/**
 * Starts a server (stdout, where the service logs, goes to /dev/null) and waits for /health.
 * `traced` is the service with tracing loaded first, as its image does.
 */
async function startServer(name: string, endpoint: string, otlpSink = ""): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const traced = name === "traced";
  const args = traced ? ["--require", TRACING, SERVERS, "nest"] : [SERVERS, name];
  const tracing = traced ? { ...TRACED_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink } : {};
  const child = spawn(process.execPath, args, {
    env: env({ PORT: String(port), DYNAMODB_ENDPOINT: endpoint, ...tracing }),
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  for (;;) {
    const health = await fetch(`${url}${HEALTH_CHECK_PATH}`).catch(() => undefined);
    if (health?.ok) return { name, url, child, healthyMs: performance.now() - startedAt };
    if (child.exitCode !== null || performance.now() - startedAt > 20_000) {
      throw new Error(`${name} did not answer ${HEALTH_CHECK_PATH}`);
    }
    await sleep(5);
  }
}

async function put(url: string): Promise<{ response: Response; key: string }> {
  const response = await fetch(url + PUT_PATH, PUT);
  return { response, key: ((await response.json()) as { key: string }).key };
}

/** What one put and its get answer: statuses, header names, body shapes. */
async function answers(url: string): Promise<string> {
  const created = await put(url);
  const got = await fetch(`${url}${GET_PREFIX}${created.key}`, { headers: AUTH });
  const item = (await got.json()) as { data?: unknown };
  return JSON.stringify({
    put: [created.response.status, created.response.headers.get("location")?.endsWith(created.key)],
    get: [got.status, got.headers.get("content-type"), [...got.headers.keys()], Object.keys(item)],
    sameData: isDeepStrictEqual(item.data, JSON.parse(PUT_BODY)),
  });
}

/** utime + stime of a process in seconds, from /proc (Linux counts them in 1/100 s). */
function cpuSeconds(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type Sample = Record<"requestsPerSec" | "p50Ms" | "p99Ms" | "cpuMsPerRequest", number>;
const keys: string[] = [];

async function load(server: Server, scenario: string, seconds: number): Promise<Sample> {
  let next = 0;
  const request: autocannon.Request =
    scenario === "put"
      ? { ...PUT, path: PUT_PATH }
      : {
          method: "GET",
          headers: AUTH,
          setupRequest: (r) => ({ ...r, path: GET_PREFIX + keys[next++ % 100] }),
        };
  const latencies: number[] = [];
  const cpuBefore = cpuSeconds(server.child);
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const options = { url: server.url, connections, duration: seconds, requests: [request] };
    autocannon(options, (error: unknown, finished) =>
      error ? fail(new Error(JSON.stringify(error))) : done(finished),
    ).on("response", (_client, status, _bytes, ms) => status < 300 && latencies.push(ms));
  });
  const cpu = cpuSeconds(server.child) - cpuBefore;
  const failed = result.errors + result.non2xx;
  if (failed > 0) throw new Error(`${failed} failed ${scenario} requests on ${server.name}`);
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSec: result["2xx"] / result.duration,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMsPerRequest: (cpu * 1000) / result["2xx"],
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i] + 2)));
  return rows.map((row) => line(row).join("")).join("\n");
}

function report(samples: Map<string, Sample>, healthyMs: number[]): void {
  /** The median over rounds of a figure, or of its ratio to another server's in the same round. */
  const figure = (scenario: string, server: string, field: keyof Sample, per?: string) =>
    median(
      Array.from({ length: rounds }, (_, round) => {
        const at = (name: string) => samples.get(`${round + 1} ${scenario} ${name}`)![field];
        return at(server) / (per === undefined ? 1 : at(per));
      }),
    );
  const rows = SCENARIOS.flatMap((scenario) =>
    NAMES.map((server) => [
      `${scenario} ${server}`,
      figure(scenario, server, "requestsPerSec").toFixed(0),
      figure(scenario, server, "p50Ms").toFixed(2),
      figure(scenario, server, "p99Ms").toFixed(2),
      figure(scenario, server, "cpuMsPerRequest").toFixed(3),
      ...["express", "bare"].flatMap((per) => [
        figure(scenario, server, "requestsPerSec", per).toFixed(2),
        figure(scenario, server, "cpuMsPerRequest", per).toFixed(2),
      ]),
    ]),
  );
  const header = ["", "req/s", "p50 ms", "p99 ms", "cpu ms/req", "req/s ÷ express"];
  header.push("cpu ÷ express", "req/s ÷ bare", "cpu ÷ bare");
  const setup = `${rounds} rounds of ${duration} s, ${connections} connections`;
  console.log(`\nservice at LOG_LEVEL=${LOG_LEVEL}; ${setup}; medians over rounds of each`);
  console.log(`figure and of each ratio (÷) within a round\n${table([header, ...rows])}\n`);
  const healthy = median(healthyMs);
  const each = healthyMs.map((ms) => ms.toFixed(0)).join(", ");
  console.log(`nest from process start to first 200 from /health: median ${healthy.toFixed(0)} ms`);
  console.log(`(${each})\n`);
  const verdict = (met: boolean, text: string) => console.log(`${met ? "PASS" : "MISS"}  ${text}`);
  for (const scenario of SCENARIOS) {
    const rps = figure(scenario, "nest", "requestsPerSec", "express").toFixed(2);
    const cpu = figure(scenario, "nest", "cpuMsPerRequest", "express").toFixed(2);
    verdict(+rps >= TARGET.rps, `${scenario} req/s, nest ÷ express: ${rps} (≥ ${TARGET.rps})`);
    verdict(+cpu <= TARGET.cpu, `${scenario} cpu/req, nest ÷ express: ${cpu} (≤ ${TARGET.cpu})`);
  }
  const ms = healthy.toFixed(0);
  verdict(healthy < TARGET.healthyMs, `time to healthy: ${ms} ms (< ${TARGET.healthyMs} ms)`);
  for (const scenario of SCENARIOS) {
    const ratio = figure(scenario, "bare", "cpuMsPerRequest", "open").toFixed(2);
    console.log(`token check, ${scenario}: bare cpu/req with it ÷ without it (open): ${ratio}`);
  }
  const sampled = `at OTEL_TRACES_SAMPLER_ARG=${TRACED_ENV.OTEL_TRACES_SAMPLER_ARG}`;
  for (const scenario of SCENARIOS) {
    const cpu = figure(scenario, "traced", "cpuMsPerRequest", "nest").toFixed(2);
    const text = `${scenario} cpu/req with tracing ${sampled} ÷ without: ${cpu}`;
    verdict(+cpu <= TARGET.tracedCpu, `${text} (≤ ${TARGET.tracedCpu})`);
  }
}

async function main(): Promise<void> {
  if (!values["no-build"]) {
    execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  }
  const entryPoints = [join(ROOT, "bench/servers.ts")];
  buildSync({
    entryPoints,
    outfile: SERVERS,
    bundle: true,
    packages: "external",
    platform: "node",
  });
  const jwks = createServer((req, res) =>
    issuer.serveJwks(req, res, () => res.writeHead(404).end()),
  );
  jwks.listen(Number(new URL(issuer.issuer).port), "127.0.0.1").unref();
  const endpoint = await startStore();
  const otlpSink = createServer((req, res) => {
    req
      .resume()
      .on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end());
  });
  await new Promise<void>((done) => otlpSink.listen(0, "127.0.0.1", done));
  otlpSink.unref();
  const sinkUrl = `http://127.0.0.1:${(otlpSink.address() as AddressInfo).port}`;
  const healthyMs: number[] = [];
  for (let start = 0; start < STARTS; start += 1) {
    const nest = await startServer("nest", endpoint);
    healthyMs.push(nest.healthyMs);
    await stop(nest.child);
  }
  const servers: Server[] = [];
  for (const name of NAMES) servers.push(await startServer(name, endpoint, sinkUrl));
  const expected = await answers(servers[0].url);
  for (const server of servers.slice(1)) {
    const actual = await answers(server.url);
    if (actual !== expected) throw new Error(`${server.name} answers ${actual}, nest ${expected}`);
  }
  while (keys.length < 100) keys.push((await put(servers[0].url)).key);
  for (const scenario of SCENARIOS) {
    for (const server of servers) await load(server, scenario, WARMUP);
  }
  const samples = new Map<string, Sample>();
  for (let round = 1; round <= rounds; round += 1) {
    // Every other round reversed, so that no server is always measured first.
    for (const scenario of SCENARIOS) {
      for (const server of round % 2 === 1 ? servers : [...servers].reverse()) {
        const sample = await load(server, scenario, duration);
        samples.set(`${round} ${scenario} ${server.name}`, sample);
        console.log(
          `round ${round} ${scenario} ${server.name} ${sample.requestsPerSec.toFixed(0)}`,
        );
      }
    }
  }
  report(samples, healthyMs);
}

main()
  .catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => Promise.all([...children].map(stop)));
