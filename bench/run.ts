/**
 * `npm run bench`: throughput and latency of put and get through the compiled Nest service and
 * through a bare node:http server making the same DynamoDB calls against the same dynalite store,
 * plus the Nest service's time from process start to its first healthy /health.
 *
 * Exits 0 when the measurements are valid, whether or not the targets are met (they are reported as
 * PASS/MISS); exits 1 on a harness error (a server that does not start, a parity check that fails,
 * failed or non-2xx responses during a run).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isDeepStrictEqual } from "node:util";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import autocannon from "autocannon";
import { build } from "esbuild";
import { parseItemKey } from "../lib/item-key";
import { API_PREFIX, HEALTH_CHECK_PATH } from "../lib/routes";
import { TABLE_ATTRIBUTES, TABLE_HASH_KEY } from "../lib/table";
import { freePort } from "../lib/free-port";
import { httpRequest, LOOPBACK, startNode, waitForOk, type ChildServer } from "./processes";
import { snapshot, usageBetween } from "./cpu";
import { describeProfile } from "./profile";
import {
  check,
  formatTable,
  median,
  pairedRatio,
  percentile,
  summarise,
  type RunSample,
  type Scenario,
  type ScenarioSummary,
  type TargetCheck,
} from "./summary";

const ROOT = resolve(__dirname, "..");
const APP_BUILD = join(ROOT, "dist/app/src/app.factory.js");
const NEST_ENTRY = join(ROOT, "dist/bench/nest-server.js");
const BARE_ENTRY = join(ROOT, "dist/bench/bare-server.js");
const EXPRESS_ENTRY = join(ROOT, "dist/bench/express-server.js");
const RESULTS_DIR = join(ROOT, "bench/results");
const PROFILE_DIR = join(RESULTS_DIR, "profiles");
const TABLE_NAME = "picus-bench";
const REGION = "us-east-1";
const THROUGHPUT_TARGET = 0.85;
const HEALTHY_TARGET_MS = 1500;
const START_TIMEOUT_MS = 20_000;
const PUT_BODY = JSON.stringify({
  name: "benchmark item",
  count: 42,
  ratio: 0.5,
  active: true,
  tags: ["alpha", "beta", "gamma"],
  owner: { id: "user-1", roles: ["reader", "writer"] },
});
/** The same DynamoDB client settings for both servers, whatever their defaults. */
const DYNAMO_ENV = { DYNAMODB_REQUEST_TIMEOUT_MS: "1000", DYNAMODB_MAX_ATTEMPTS: "3" };

interface Options {
  durationSec: number;
  warmupSec: number;
  connections: number;
  rounds: number;
  startupRuns: number;
  seedItems: number;
  scenarios: Scenario[];
  nestLogLevels: string[];
  build: boolean;
  express: boolean;
  profile: boolean;
  nestEntry: string;
  maxForeignCpuPct: number;
  nestNodeFlags: string[];
  rate: number | undefined;
}

const USAGE = `usage: npm run bench -- [options]
  --duration <s>        seconds per measured run (default 4)
  --warmup <s>          seconds of unmeasured load per server and scenario first (default 2)
  --connections <n>     concurrent connections (default 10)
  --rate <req/s>        offer a fixed load instead of as much as the server takes: throughput is
                        then equal, and CPU per request and latency compare the servers
  --rounds <n>          measured runs per server and scenario, alternating servers (default 4)
  --startup-runs <n>    cold starts of the Nest service to time (default 5)
  --seed <n>            items stored before the get runs (default 500)
  --scenarios <list>    any of put,get,health (default put,get)
  --nest-log-levels <l> LOG_LEVELs to run the Nest service at; the first is compared with the
                        bare server, the others show what logging costs (default warn,info)
  --no-build            use the existing dist/ instead of running npm run build
  --no-express          leave out the plain Express 5 server (bench/express-server.ts), which shows
                        what the Express adapter alone allows
  --profile             also write a CPU profile of every server to bench/results/profiles
  --nest-entry <file>   the service's entry (default dist/bench/nest-server.js, which serves the
                        compiled app on loopback); pointing it
                        at dist/bench/bare-server.js gives an A/A run that shows the noise floor
  --max-foreign-cpu <%> rounds in which other processes used more than this share of one core
                        are left out of the ratios when quieter rounds exist (default 25)
  --nest-node-flags <f> extra node flags for the Nest service, space-separated, for experiments
                        (e.g. "--experimental-async-context-frame")`;

function positiveInt(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      duration: { type: "string", default: "4" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "10" },
      rounds: { type: "string", default: "4" },
      "startup-runs": { type: "string", default: "5" },
      seed: { type: "string", default: "500" },
      scenarios: { type: "string", default: "put,get" },
      "nest-log-levels": { type: "string", default: "warn,info" },
      "no-build": { type: "boolean", default: false },
      "no-express": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      "nest-entry": { type: "string", default: NEST_ENTRY },
      "max-foreign-cpu": { type: "string", default: "25" },
      "nest-node-flags": { type: "string", default: "" },
      rate: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scenarios = values.scenarios.split(",").map((name) => name.trim());
  for (const scenario of scenarios) {
    if (!["put", "get", "health"].includes(scenario)) {
      throw new Error(`unknown scenario "${scenario}"; use put, get or health`);
    }
  }
  const nestLogLevels = values["nest-log-levels"].split(",").map((level) => level.trim());
  if (nestLogLevels.length === 0 || nestLogLevels.some((level) => level === "")) {
    throw new Error("--nest-log-levels needs at least one level");
  }
  return {
    durationSec: positiveInt("duration", values.duration),
    warmupSec: positiveInt("warmup", values.warmup),
    connections: positiveInt("connections", values.connections),
    rounds: positiveInt("rounds", values.rounds),
    startupRuns: positiveInt("startup-runs", values["startup-runs"]),
    seedItems: positiveInt("seed", values.seed),
    scenarios: scenarios as Scenario[],
    nestLogLevels,
    build: !values["no-build"],
    express: !values["no-express"],
    profile: values.profile,
    nestEntry: resolve(values["nest-entry"]),
    maxForeignCpuPct: positiveInt("max-foreign-cpu", values["max-foreign-cpu"]),
    rate: values.rate === undefined ? undefined : positiveInt("rate", values.rate),
    nestNodeFlags: values["nest-node-flags"].split(/\s+/).filter((flag) => flag !== ""),
  };
}

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

async function buildServers(options: Options): Promise<void> {
  if (options.build) {
    log("npm run build");
    execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  }
  if (!existsSync(APP_BUILD)) throw new Error(`${APP_BUILD} is missing; run npm run build`);
  await build({
    entryPoints: ["bare-server", "express-server", "nest-server"].map((name) =>
      join(ROOT, `bench/${name}.ts`),
    ),
    outdir: join(ROOT, "dist/bench"),
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node22",
    format: "cjs",
    logLevel: "warning",
  });
  if (!existsSync(options.nestEntry)) {
    throw new Error(`${options.nestEntry} is missing; run npm run build`);
  }
}

async function startStore(): Promise<{ server: ChildServer; endpoint: string }> {
  const port = await freePort();
  const server = startNode({
    name: "dynalite",
    port,
    nodeArgs: [
      require.resolve("dynalite/cli.js"),
      "--host",
      LOOPBACK,
      "--port",
      String(port),
      "--createTableMs",
      "0",
    ],
    env: { PATH: process.env.PATH },
  });
  const endpoint = server.baseUrl;
  const client = new DynamoDBClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  try {
    const deadline = performance.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch (error) {
        if (performance.now() > deadline || server.child.exitCode !== null) {
          throw new Error(`dynalite did not start: ${String(error)}\n${server.stderrTail()}`);
        }
        await new Promise((done) => setTimeout(done, 50));
      }
    }
    await client.send(
      new CreateTableCommand({
        TableName: TABLE_NAME,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: TABLE_ATTRIBUTES.map((attribute) => ({
          AttributeName: attribute.name,
          AttributeType: attribute.type,
        })),
        KeySchema: [{ AttributeName: TABLE_HASH_KEY, KeyType: "HASH" }],
      }),
    );
  } finally {
    client.destroy();
  }
  return { server, endpoint };
}

function serverEnv(endpoint: string, port: number, logLevel: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    TABLE_NAME,
    AWS_REGION: REGION,
    DYNAMODB_ENDPOINT: endpoint,
    PORT: String(port),
    HOST: LOOPBACK,
    LOG_LEVEL: logLevel,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    ...DYNAMO_ENV,
  };
}

async function startServer(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  nodeFlags: string[] = [],
): Promise<{ server: ChildServer; healthyMs: number }> {
  const port = Number(env.PORT);
  const startedAt = performance.now();
  const server = startNode({ name, port, nodeArgs: [...nodeFlags, entry], env });
  try {
    const healthyMs = await waitForOk(server, HEALTH_CHECK_PATH, startedAt, START_TIMEOUT_MS);
    return { server, healthyMs };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function timeStartups(
  name: string,
  entry: string,
  endpoint: string,
  runs: number,
  nodeFlags: string[] = [],
): Promise<number[]> {
  const timings: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const { server, healthyMs } = await startServer(
      name,
      entry,
      serverEnv(endpoint, await freePort(), "info"),
      nodeFlags,
    );
    timings.push(healthyMs);
    await server.stop();
  }
  return timings;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${what} is not JSON: ${text.slice(0, 200)}`);
  }
}

/** Checks that both servers answer put, get and the error cases alike; returns notes on differences. */
async function checkParity(reference: ChildServer, others: ChildServer[]): Promise<string[]> {
  const notes: string[] = [];
  const put = async (server: ChildServer): Promise<string> => {
    const response = await httpRequest(`${server.baseUrl}${API_PREFIX}/put`, {
      method: "POST",
      body: PUT_BODY,
      headers: { "content-type": "application/json" },
    });
    const body = parseJson(response.body, `${server.name} put`) as { key?: unknown };
    const key = typeof body.key === "string" ? parseItemKey(body.key) : undefined;
    if (response.status !== 201 || key === undefined || Object.keys(body).length !== 1) {
      throw new Error(`${server.name} put answered ${response.status} ${response.body}`);
    }
    if (response.headers.location !== `${API_PREFIX}/get/${key}`) {
      throw new Error(`${server.name} put Location is ${String(response.headers.location)}`);
    }
    return key;
  };
  const get = async (server: ChildServer, path: string) => {
    const response = await httpRequest(`${server.baseUrl}${path}`, {});
    return { status: response.status, text: response.body, headers: response.headers };
  };
  const servers = [reference, ...others];
  const keys = await Promise.all(servers.map(put));
  const probes = [
    ...keys.map((key) => `${API_PREFIX}/get/${key}`),
    `${API_PREFIX}/get/00000000-0000-4000-8000-000000000000`,
    `${API_PREFIX}/get/not-a-uuid`,
  ];
  for (const path of probes) {
    const expected = await get(reference, path);
    const expectedBody = parseJson(expected.text, `${reference.name} GET ${path}`);
    for (const other of others) {
      const actual = await get(other, path);
      const actualBody = parseJson(actual.text, `${other.name} GET ${path}`);
      const sameShape =
        expected.status >= 400
          ? isDeepStrictEqual(
              Object.keys(expectedBody as object).sort(),
              Object.keys(actualBody as object).sort(),
            )
          : isDeepStrictEqual(expectedBody, actualBody);
      if (actual.status !== expected.status || !sameShape) {
        throw new Error(
          `parity: GET ${path}: ${reference.name} ${expected.status} ${expected.text} but ${other.name} ${actual.status} ${actual.text}`,
        );
      }
      if (expected.status === 200 && actual.text.length !== expected.text.length) {
        notes.push(
          `GET ${path}: ${other.name} body ${actual.text.length} B, ${reference.name} ${expected.text.length} B`,
        );
      }
    }
  }
  for (const server of servers) {
    const { headers } = await get(server, `${API_PREFIX}/get/${keys[0]}`);
    notes.push(`${server.name} GET response headers: ${Object.keys(headers).sort().join(", ")}`);
  }
  return notes;
}

async function seed(server: ChildServer, count: number): Promise<string[]> {
  const keys: string[] = [];
  const result = await autocannon({
    url: `${server.baseUrl}${API_PREFIX}/put`,
    connections: 10,
    amount: count,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: PUT_BODY,
        onResponse: (status: number, body: string) => {
          if (status === 201) keys.push((JSON.parse(body) as { key: string }).key);
        },
      },
    ],
  });
  countServed(server.baseUrl, result);
  if (keys.length !== count) {
    throw new Error(`seeding stored ${keys.length} of ${count} items (${result.non2xx} non-2xx)`);
  }
  return keys;
}

function loadOptions(
  server: ChildServer,
  scenario: Scenario,
  durationSec: number,
  options: Options,
  keys: readonly string[],
): autocannon.Options {
  const common = {
    connections: options.connections,
    duration: durationSec,
    timeout: 10,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
  };
  if (scenario === "put") {
    return {
      ...common,
      url: `${server.baseUrl}${API_PREFIX}/put`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: PUT_BODY,
    };
  }
  if (scenario === "health") return { ...common, url: `${server.baseUrl}${HEALTH_CHECK_PATH}` };
  let next = 0;
  return {
    ...common,
    url: `${server.baseUrl}${API_PREFIX}/get/${keys[0]}`,
    requests: [
      {
        method: "GET",
        setupRequest: (request) => {
          const key = keys[next % keys.length];
          next += 1;
          return { ...request, path: `${API_PREFIX}/get/${key}` };
        },
      },
    ],
  };
}

/** One autocannon run; latencies are kept per response (autocannon's own histogram is in whole ms). */
/** Responses each server (by base URL) has sent to autocannon, for per-request profile figures. */
const served = new Map<string, number>();

function countServed(url: string, result: autocannon.Result): void {
  const origin = new URL(url).origin;
  served.set(origin, (served.get(origin) ?? 0) + result["2xx"] + result.non2xx);
}

async function load(
  options: autocannon.Options,
): Promise<{ result: autocannon.Result; latenciesMs: number[] }> {
  const latenciesMs: number[] = [];
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(options, (error: unknown, finished: autocannon.Result) => {
      if (error instanceof Error) fail(error);
      else if (error) fail(new Error(`autocannon failed: ${JSON.stringify(error)}`));
      else done(finished);
    });
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latenciesMs.push(responseTime);
    });
  });
  countServed(String(options.url), result);
  return { result, latenciesMs };
}

async function measure(
  server: ChildServer,
  scenario: Scenario,
  round: number,
  options: Options,
  keys: readonly string[],
  watchedPids: readonly number[],
): Promise<RunSample> {
  const before = snapshot(watchedPids);
  const { result, latenciesMs } = await load(
    loadOptions(server, scenario, options.durationSec, options, keys),
  );
  const usage = usageBetween(before, snapshot(watchedPids));
  latenciesMs.sort((a, b) => a - b);
  const ok = result["2xx"];
  const serverCpuSeconds = usage.secondsByPid.get(server.child.pid ?? -1) ?? Number.NaN;
  const sample: RunSample = {
    target: server.name,
    scenario,
    round,
    requestsPerSec: ok / result.duration,
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    durationSec: result.duration,
    serverCpuMsPerRequest: ok > 0 ? (serverCpuSeconds * 1000) / ok : Number.NaN,
    foreignCpuPct: (usage.foreignSeconds / result.duration) * 100,
  };
  log(
    `round ${round} ${scenario.padEnd(6)} ${server.name.padEnd(11)} ` +
      `${fixed(sample.requestsPerSec).padStart(6)} req/s  p50 ${fixed(sample.p50Ms, 2)} ms  ` +
      `p99 ${fixed(sample.p99Ms, 2)} ms  cpu ${fixed(sample.serverCpuMsPerRequest, 3)} ms/req  ` +
      `others ${fixed(sample.foreignCpuPct)}% cpu` +
      (sample.non2xx + sample.errors > 0
        ? `  non-2xx ${sample.non2xx} errors ${sample.errors}`
        : ""),
  );
  return sample;
}

function fixed(value: number, digits = 0): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

interface Verdicts {
  ratios: Record<string, Record<string, number>>;
  roundsCompared: number[];
  healthyMedianMs: number;
  checks: TargetCheck[];
}

function report(
  samples: RunSample[],
  nestName: string,
  bareName: string,
  startupMs: number[],
  bareStartupMs: number[],
  maxForeignCpuPct: number,
  fixedRate: boolean,
): Verdicts & { summaries: ScenarioSummary[] } {
  const summaries = summarise(samples);
  const rows = summaries.map((summary) => [
    `${summary.scenario} ${summary.target}`,
    fixed(summary.requestsPerSec),
    `${fixed(summary.minRequestsPerSec)}-${fixed(summary.maxRequestsPerSec)}`,
    fixed(summary.p50Ms, 2),
    fixed(summary.p99Ms, 2),
    fixed(summary.serverCpuMsPerRequest, 3),
    fixed(summary.foreignCpuPct),
    String(summary.non2xx + summary.errors),
  ]);
  console.log(
    "\nmedians over rounds\n" +
      formatTable(
        [
          "scenario server",
          "req/s",
          "range",
          "p50 ms",
          "p99 ms",
          "cpu ms/req",
          "others %",
          "failed",
        ],
        rows,
      ),
  );

  const noisy = new Set(
    samples
      .filter((sample) => sample.foreignCpuPct > maxForeignCpuPct)
      .map((sample) => sample.round),
  );
  const allRounds = [...new Set(samples.map((sample) => sample.round))];
  const quiet = allRounds.filter((round) => !noisy.has(round));
  const roundsCompared = quiet.length > 0 ? quiet : allRounds;
  const compared = samples.filter((sample) => roundsCompared.includes(sample.round));

  const ratios: Record<string, Record<string, number>> = {};
  const ratioRows: string[][] = [];
  for (const scenario of new Set(summaries.map((summary) => summary.scenario))) {
    const others = summaries.filter(
      (summary) => summary.scenario === scenario && summary.target !== bareName,
    );
    for (const summary of others) {
      const paired = (field: (sample: RunSample) => number) =>
        pairedRatio(compared, scenario, summary.target, bareName, field);
      const figures = {
        throughput: paired((sample) => sample.requestsPerSec),
        p50: paired((sample) => sample.p50Ms),
        p99: paired((sample) => sample.p99Ms),
        cpuPerRequest: paired((sample) => sample.serverCpuMsPerRequest),
      };
      ratios[`${scenario} ${summary.target}`] = figures;
      ratioRows.push([
        `${scenario} ${summary.target} / ${bareName}`,
        fixed(figures.throughput, 2),
        fixed(figures.p50, 2),
        fixed(figures.p99, 2),
        fixed(figures.cpuPerRequest, 2),
        fixed(1 / figures.cpuPerRequest, 2),
      ]);
    }
  }
  console.log(
    `\nratios to the bare server (median of per-round ratios, rounds ${roundsCompared.join(",")}` +
      (noisy.size > 0 && quiet.length > 0
        ? `; rounds ${[...noisy].join(",")} left out: other processes used > ${maxForeignCpuPct}% cpu`
        : "") +
      ")\n" +
      formatTable(
        ["ratio", "throughput", "p50", "p99", "cpu/req", "cpu-bound capacity"],
        ratioRows,
      ),
  );
  if (noisy.size > 0 && quiet.length === 0) {
    console.log(`warning: every round saw other processes use > ${maxForeignCpuPct}% cpu`);
  }

  const healthyMedianMs = startupMs.length > 0 ? median(startupMs) : Number.NaN;
  console.log(
    `\ntime from process start to first 200 from ${HEALTH_CHECK_PATH} (LOG_LEVEL=info): ` +
      `nest median ${fixed(healthyMedianMs)} ms (runs ${startupMs.map((ms) => fixed(ms)).join(", ")})` +
      (bareStartupMs.length > 0 ? `; bare median ${fixed(median(bareStartupMs))} ms` : ""),
  );
  // At a fixed offered rate every server serves the same load, so a throughput ratio means nothing.
  const judgedScenarios = fixedRate ? [] : (["put", "get"] as const);
  const checks = [
    ...judgedScenarios
      .filter((scenario) => ratios[`${scenario} ${nestName}`] !== undefined)
      .map((scenario) =>
        check(
          `${scenario} throughput ${nestName}/${bareName} >= ${THROUGHPUT_TARGET}`,
          ratios[`${scenario} ${nestName}`].throughput,
          "atLeast",
          THROUGHPUT_TARGET,
        ),
      ),
    check(`healthy < ${HEALTHY_TARGET_MS} ms`, healthyMedianMs, "below", HEALTHY_TARGET_MS),
  ];
  console.log("");
  if (fixedRate) console.log("throughput targets are not judged at a fixed --rate");
  for (const target of checks) {
    const shown =
      target.rule === "atLeast" ? fixed(target.measured, 2) : `${fixed(target.measured)} ms`;
    console.log(`${target.verdict}  ${target.name}: ${shown}`);
  }
  return { summaries, ratios, roundsCompared, healthyMedianMs, checks };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const servers: ChildServer[] = [];
  const profiled = new Map<string, ChildServer>();
  const stopAll = async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  };
  process.once("SIGINT", () => {
    void stopAll().finally(() => process.exit(130));
  });
  try {
    await buildServers(options);
    const store = await startStore();
    servers.push(store.server);
    log(`dynalite at ${store.endpoint}, table ${TABLE_NAME}`);

    const nestName = `nest(${options.nestLogLevels[0]})`;
    const bareName = "bare";
    log(`timing ${options.startupRuns} cold starts of the Nest service`);
    const startupMs = await timeStartups(
      nestName,
      options.nestEntry,
      store.endpoint,
      options.startupRuns,
      options.nestNodeFlags,
    );
    const bareStartupMs = await timeStartups(bareName, BARE_ENTRY, store.endpoint, 3);

    const profileFlags = (name: string) =>
      options.profile
        ? [
            "--cpu-prof",
            `--cpu-prof-dir=${PROFILE_DIR}`,
            `--cpu-prof-name=${name}-${process.pid}.cpuprofile`,
          ]
        : [];
    const noteProfile = (name: string, server: ChildServer) => {
      if (options.profile)
        profiled.set(join(PROFILE_DIR, `${name}-${process.pid}.cpuprofile`), server);
    };
    const bare = await startServer(
      bareName,
      BARE_ENTRY,
      serverEnv(store.endpoint, await freePort(), options.nestLogLevels[0]),
      profileFlags(bareName),
    );
    servers.push(bare.server);
    noteProfile(bareName, bare.server);
    const references = [bare.server];
    if (options.express) {
      const express = await startServer(
        "express",
        EXPRESS_ENTRY,
        serverEnv(store.endpoint, await freePort(), options.nestLogLevels[0]),
        profileFlags("express"),
      );
      servers.push(express.server);
      references.push(express.server);
      noteProfile("express", express.server);
    }
    const nests: ChildServer[] = [];
    for (const level of options.nestLogLevels) {
      const nest = await startServer(
        `nest(${level})`,
        options.nestEntry,
        serverEnv(store.endpoint, await freePort(), level),
        [...options.nestNodeFlags, ...profileFlags(`nest-${level}`)],
      );
      servers.push(nest.server);
      nests.push(nest.server);
      noteProfile(`nest-${level}`, nest.server);
    }

    const notes = await checkParity(nests[0], [...references, ...nests.slice(1)]);
    for (const note of notes) log(note);
    const keys = options.scenarios.includes("get") ? await seed(nests[0], options.seedItems) : [];

    const targets = [nests[0], ...references, ...nests.slice(1)];
    for (const scenario of options.scenarios) {
      for (const target of targets) {
        await load(loadOptions(target, scenario, options.warmupSec, options, keys));
      }
    }
    log(
      `measuring: ${options.rounds} rounds x ${options.scenarios.join(",")} x ${targets.length} servers, ` +
        `${options.durationSec} s each, ${options.connections} connections`,
    );
    const watchedPids = [process.pid, ...servers.map((server) => server.child.pid ?? -1)];
    const samples: RunSample[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const scenario of options.scenarios) {
        // Alternate who goes first, so drift on the shared machine does not favour one server.
        const order = round % 2 === 1 ? targets : [...targets].reverse();
        for (const target of order) {
          samples.push(await measure(target, scenario, round, options, keys, watchedPids));
        }
      }
    }

    const verdicts = report(
      samples,
      nestName,
      bareName,
      startupMs,
      bareStartupMs,
      options.maxForeignCpuPct,
      options.rate !== undefined,
    );
    const failed = samples.filter((sample) => sample.non2xx + sample.errors > 0);

    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `bench-${started.toISOString().replace(/[:.]/g, "-")}.json`);
    const results = {
      startedAt: started.toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
      options,
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        loadavgAtEnd: loadavg(),
      },
      notes,
      startup: { nestMs: startupMs, bareMs: bareStartupMs },
      samples,
      ...verdicts,
    };
    writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
    writeFileSync(join(RESULTS_DIR, "latest.json"), JSON.stringify(results, null, 2) + "\n");
    log(`results written to ${file}`);
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} runs had failed or non-2xx responses; the figures are not valid`,
      );
    }
  } finally {
    await stopAll();
  }
  for (const [file, server] of profiled) {
    console.log(`\n${describeProfile(file, 25, served.get(server.baseUrl))}`);
  }
}

main().catch((error: unknown) => {
  console.error(`[bench] harness error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
