/**
 * `npm run bench`: put and get, in alternating rounds, through the compiled service (`nest`, run
 * as its image runs it), plain Express 5 and bare node:http (bench/servers.ts) on one dynalite,
 * with PASS/MISS for docs/decisions/0001's targets; also what the token check costs (`open`: bare
 * without it) and what tracing costs (`traced`: the service at production's sampling ratio,
 * exporting to a sink that accepts OTLP as the ADOT collector would).
 * `--list-memory`: the service under a 256 MB heap (half the dev task's memory) answers eight
 * concurrent `GET /picus/list?limit=100` over 100 items of ~390 KB, five times; prints the largest
 * page and the peak RSS. Exits 1 when the figures are not valid (a server fails to start, answers
 * unlike the service, or fails requests under load).
 */
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { buildSync } from "esbuild";
import { parse } from "yaml";
import { freePort } from "../lib/free-port";
import { API_PREFIX, HEALTH_CHECK_PATH } from "../lib/routes";
import { ALL_SCOPES, LOCAL_CLIENT_ID, testIssuer } from "../lib/testing/issuer";
import { GET_PREFIX, PUT_PATH } from "./servers";

const ROOT = resolve(__dirname, "..");
const SERVICE = join(ROOT, "dist/app/src/main.js");
const REFERENCES = join(ROOT, "dist/bench/servers.js");
/** Production's sampling: the share of requests whose traces are kept and sent. */
const SAMPLE_RATIO = "0.05";
const VARIANTS: Record<string, { args: string[]; env?: Record<string, string> }> = {
  nest: { args: [SERVICE] },
  express: { args: [REFERENCES, "express"] },
  bare: { args: [REFERENCES, "bare"] },
  open: { args: [REFERENCES, "open"] },
  traced: {
    args: [SERVICE],
    env: {
      OTEL_TRACES_EXPORTER: "otlp",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: SAMPLE_RATIO,
    },
  },
};
const SCENARIOS = ["put", "get"];
type Sample = Record<"req/s" | "p50 ms" | "p99 ms" | "cpu ms/req", number>;
/** A figure of one server as a ratio to another's; with a target, printed as PASS or MISS. */
type Check = { what: string; server: string; per: string; figure: keyof Sample; target?: number };
const CHECKS: Check[] = [
  { what: "throughput", server: "nest", per: "express", figure: "req/s", target: 0.95 },
  { what: "CPU per request", server: "nest", per: "express", figure: "cpu ms/req", target: 1.05 },
  { what: "token check's CPU", server: "bare", per: "open", figure: "cpu ms/req" },
  { what: "tracing's CPU", server: "traced", per: "nest", figure: "cpu ms/req", target: 1.1 },
];
const HEALTHY_MS = 1000;
const PUT_BODY = JSON.stringify({ name: "item", count: 42, tags: ["a"], owner: { id: "u-1" } });
/** Seconds of unmeasured load per server and scenario first; cold starts timed; keys to get. */
const [WARMUP, STARTS, KEYS, CONNECTIONS] = [2, 5, 100, 10];

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "3" },
    "list-memory": { type: "boolean", default: false },
  },
});
const [rounds, duration] = [values.rounds, values.duration].map(Number);
if (![rounds, duration].every((value) => Number.isInteger(value) && value > 0)) {
  throw new Error("--rounds and --duration take whole numbers above 0");
}

/** The production task's level: picus:logLevel in Pulumi.prod.yaml, else infra's default. */
const prod = parse(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
  config: Record<string, string | undefined>;
};
const LOG_LEVEL = prod.config["picus:logLevel"] ?? "info";

type Server = { name: string; url: string; child: ChildProcess; healthyMs: number };
type Env = Record<string, string | undefined>;
type Auth = { authorization: string };
const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((child) => child.kill("SIGKILL")));

async function startStore(env: Env): Promise<string> {
  const stdio = ["ignore", "ignore", "inherit", "ipc"] as const;
  const child = fork(REFERENCES, ["store"], { env, execArgv: [], stdio: [...stdio] });
  children.push(child);
  const failed = once(child, "exit").then(() => Promise.reject(new Error("dynalite exited")));
  const [endpoint] = (await Promise.race([once(child, "message"), failed])) as unknown[];
  return String(endpoint);
}

/** Starts a server (stdout, where the service logs, goes to /dev/null) and waits for /health. */
async function startServer(name: string, env: Env, nodeArgs: string[] = []): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, ...VARIANTS[name].args], {
    env: { ...env, ...VARIANTS[name].env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  for (;;) {
    const health = await fetch(`${url}${HEALTH_CHECK_PATH}`).catch(() => undefined);
    if (health?.ok) return { name, url, child, healthyMs: performance.now() - startedAt };
    if (child.exitCode !== null || performance.now() - startedAt > 60_000) {
      throw new Error(`${name} did not answer ${HEALTH_CHECK_PATH}`);
    }
    await sleep(5);
  }
}

const jsonPut = (headers: Auth, body = PUT_BODY) =>
  ({ method: "POST", headers: { ...headers, "content-type": "application/json" }, body }) as const;

async function put(url: string, headers: Auth, body?: string) {
  const response = await fetch(url + PUT_PATH, jsonPut(headers, body));
  if (response.status !== 201) throw new Error(`put on ${url}: ${response.status}`);
  return { response, key: ((await response.json()) as { key: string }).key };
}

/** What one put and its get answer: statuses, header names, body fields, the data got back. */
async function answers(url: string, headers: Auth): Promise<string> {
  const { key, response } = await put(url, headers);
  const got = await fetch(`${url}${GET_PREFIX}${key}`, { headers });
  const { data, ...item } = (await got.json()) as { data: unknown };
  const shape = (answer: Response) => [answer.status, ...answer.headers.keys()];
  return JSON.stringify([shape(response), shape(got), Object.keys(item), data]);
}

/** utime + stime of a process in seconds, from /proc (Linux counts them in 1/100 s). */
function cpuSeconds(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function load(server: Server, request: autocannon.Request, seconds: number): Promise<Sample> {
  const cpuBefore = cpuSeconds(server.child);
  const options = {
    url: server.url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [request],
  };
  const result = await autocannon(options);
  const cpu = cpuSeconds(server.child) - cpuBefore;
  const failed = result.errors + result.non2xx;
  if (failed > 0) throw new Error(`${failed} failed requests on ${server.name}`);
  return {
    "req/s": result["2xx"] / result.duration,
    "p50 ms": result.latency.p50,
    "p99 ms": result.latency.p99,
    "cpu ms/req": (cpu * 1000) / result["2xx"],
  };
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `samples` holds one Sample per round under "<scenario> <server>". */
function report(samples: Map<string, Sample[]>, healthyMs: number[]): void {
  /** The median over rounds of a figure, or of its ratio to another server's in the same round. */
  const figure = (scenario: string, server: string, field: keyof Sample, per?: string) => {
    const [mine, theirs] = [server, per ?? server].map((name) =>
      samples.get(`${scenario} ${name}`)!,
    );
    return median(mine.map((sample, round) => sample[field] / (per ? theirs[round][field] : 1)));
  };
  const rows = SCENARIOS.flatMap((scenario) =>
    Object.keys(VARIANTS).map((server) => {
      const row: Record<string, number> = {};
      for (const field of ["req/s", "p50 ms", "p99 ms", "cpu ms/req"] as const) {
        row[field] = Number(figure(scenario, server, field).toFixed(field === "req/s" ? 0 : 3));
      }
      for (const per of ["express", "bare"]) {
        row[`req/s ÷ ${per}`] = Number(figure(scenario, server, "req/s", per).toFixed(2));
        row[`cpu ÷ ${per}`] = Number(figure(scenario, server, "cpu ms/req", per).toFixed(2));
      }
      return [`${scenario} ${server}`, row];
    }),
  );
  const setup = `${rounds} rounds of ${duration} s, ${CONNECTIONS} connections`;
  console.log(
    `\nservice at LOG_LEVEL=${LOG_LEVEL}, traced at OTEL_TRACES_SAMPLER_ARG=${SAMPLE_RATIO};`,
  );
  console.log(`${setup}; medians over rounds of each figure and of each ratio (÷) within a round`);
  console.table(Object.fromEntries(rows));
  const verdict = (met: boolean, text: string) => console.log(`${met ? "PASS" : "MISS"}  ${text}`);
  for (const { what, server, per, figure: field, target } of CHECKS) {
    for (const scenario of SCENARIOS) {
      const ratio = figure(scenario, server, field, per);
      const text = `${scenario} ${what}, ${server} ÷ ${per}: ${ratio.toFixed(2)}`;
      if (target === undefined) console.log(`      ${text}`);
      else if (field === "req/s") verdict(ratio >= target, `${text} (≥ ${target})`);
      else verdict(ratio <= target, `${text} (≤ ${target})`);
    }
  }
  const healthy = median(healthyMs);
  const each = healthyMs.map((ms) => ms.toFixed(0)).join(", ");
  const text = `nest from process start to first 200 from /health: ${healthy.toFixed(0)} ms`;
  verdict(healthy < HEALTHY_MS, `${text} (< ${HEALTHY_MS} ms; ${each})`);
}

async function compare(env: Env, headers: Auth): Promise<void> {
  const healthyMs: number[] = [];
  for (let start = 0; start < STARTS; start += 1) {
    const nest = await startServer("nest", env);
    healthyMs.push(nest.healthyMs);
    nest.child.kill("SIGKILL");
    await once(nest.child, "exit");
  }
  const servers: Server[] = [];
  for (const name of Object.keys(VARIANTS)) servers.push(await startServer(name, env));
  const expected = await answers(servers[0].url, headers);
  for (const server of servers.slice(1)) {
    const actual = await answers(server.url, headers);
    if (actual !== expected) throw new Error(`${server.name} answers ${actual}, nest ${expected}`);
  }
  const keys: string[] = [];
  while (keys.length < KEYS) keys.push((await put(servers[0].url, headers)).key);
  let next = 0;
  const requests: Record<string, autocannon.Request> = {
    put: { ...jsonPut(headers), path: PUT_PATH },
    get: { headers, setupRequest: (r) => ({ ...r, path: GET_PREFIX + keys[next++ % KEYS] }) },
  };
  for (const scenario of SCENARIOS) {
    for (const server of servers) await load(server, requests[scenario], WARMUP);
  }
  const samples = new Map<string, Sample[]>();
  for (let round = 1; round <= rounds; round += 1) {
    // Every other round reversed, so that no server is always measured first.
    for (const scenario of SCENARIOS) {
      for (const server of round % 2 === 1 ? servers : servers.toReversed()) {
        const sample = await load(server, requests[scenario], duration);
        const key = `${scenario} ${server.name}`;
        samples.set(key, [...(samples.get(key) ?? []), sample]);
        console.log(`round ${round} ${scenario} ${server.name} ${sample["req/s"].toFixed(0)}`);
      }
    }
  }
  report(samples, healthyMs);
}

async function listMemory(env: Env, headers: Auth): Promise<void> {
  const service = await startServer("nest", env, ["--max-old-space-size=256"]);
  for (let i = 0; i < 100; i++) {
    await put(service.url, headers, JSON.stringify({ i, blob: `${i}`.padEnd(390 * 1024, "x") }));
  }
  let largest = 0;
  for (let round = 0; round < 5; round++) {
    const list = () => fetch(`${service.url}${API_PREFIX}/list?limit=100`, { headers });
    for (const page of await Promise.all(Array.from({ length: 8 }, list))) {
      if (page.status !== 200) throw new Error(`list: ${page.status}`);
      largest = Math.max(largest, (await page.text()).length);
    }
  }
  const status = readFileSync(`/proc/${service.child.pid}/status`, "utf8");
  const peakMb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
  console.log(`40 pages of limit=100 (8 at once) over 100 items of ~390 KB: all 200`);
  const page = `largest page ${(largest / 2 ** 20).toFixed(2)} MB`;
  console.log(`${page}; peak RSS ${peakMb.toFixed(0)} MB (heap cap 256 MB)`);
}

async function main(): Promise<void> {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  const bundle = { bundle: true, packages: "external", platform: "node" } as const;
  buildSync({ entryPoints: [join(ROOT, "bench/servers.ts")], outfile: REFERENCES, ...bundle });
  const otlpSink = createServer((req, res) => {
    req
      .resume()
      .on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end());
  });
  otlpSink.listen(0, "127.0.0.1").unref();
  await once(otlpSink, "listening");
  const issuer = await testIssuer();
  const env: Env = {
    PATH: process.env.PATH,
    LOG_LEVEL,
    NODE_ENV: "production",
    TABLE_NAME: "picus-bench",
    AWS_REGION: "us-east-1",
    AUTH_ISSUER: issuer.issuer,
    AUTH_CLIENT_IDS: LOCAL_CLIENT_ID,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(otlpSink.address() as AddressInfo).port}`,
  };
  env.DYNAMODB_ENDPOINT = await startStore(env);
  const headers = { authorization: `Bearer ${issuer.sign(ALL_SCOPES)}` };
  await (values["list-memory"] ? listMemory : compare)(env, headers);
}

main()
  .catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => process.exit());
