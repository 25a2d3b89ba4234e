import { AsyncLocalStorage } from "node:async_hooks";
import { clientErrorReason, type StoreFailure } from "./errors";

/**
 * Request metrics as CloudWatch embedded metric format (EMF): the one line a request or an
 * invocation already logs carries an `_aws` directive and the values, and CloudWatch Logs turns
 * it into metrics. No agent and no API call on the request path.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export const METRICS_NAMESPACE = "picus";

export type MetricsService = "api" | "delete-function";

type Unit = "Count" | "Milliseconds" | "Bytes";

/** What one request did besides answering: its store calls, the size of what it stored. */
export class RequestMetrics {
  readonly storeLatencies: number[] = [];
  readonly storeFailures: StoreFailure[] = [];
  itemBytes: number | undefined;
}

const requests = new AsyncLocalStorage<RequestMetrics>();

/** Runs `serve` with a fresh RequestMetrics that the store client and the service record into. */
export function withRequestMetrics<T>(metrics: RequestMetrics, serve: () => T): T {
  return requests.run(metrics, serve);
}

/** The current request's metrics, or undefined outside a request (start-up, readiness checks). */
export function currentRequestMetrics(): RequestMetrics | undefined {
  return requests.getStore();
}

/** The ECS task definition serving (`family:revision`), whose alarms roll a deployment back. */
let taskDefinition: string | undefined;

/**
 * Reads the task definition this process runs from ECS's task metadata endpoint; outside ECS
 * (no ECS_CONTAINER_METADATA_URI_V4) there is none. Called once at start-up: in ECS, a service
 * that cannot say which revision it is fails to start rather than escape its rollback alarms.
 */
export async function identifyTaskDefinition(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string | undefined> {
  const endpoint = env.ECS_CONTAINER_METADATA_URI_V4;
  if (endpoint === undefined) return (taskDefinition = undefined);
  const response = await fetch(`${endpoint}/task`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`ECS task metadata answered ${response.status}`);
  const { Family, Revision } = (await response.json()) as { Family: string; Revision: string };
  return (taskDefinition = `${Family}:${Revision}`);
}

/** The worst failure decides a request's `Failure` dimension: one value per line. */
const FAILURE_SEVERITY: readonly StoreFailure[] = [
  "unavailable",
  "throttled",
  "other",
  "conditional",
];

export interface RequestOutcome {
  service: MetricsService;
  /** The route template from lib/routes.ts, e.g. `GET /picus/get/{key}`. */
  route: string;
  statusCode: number;
  latencyMs: number;
  metrics: RequestMetrics;
  /** Milliseconds since the epoch; now when unset. */
  timestamp?: number;
}

interface Directive {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: Unit }[];
}

/**
 * The EMF fields to merge into a request's log line. Few dimension sets, as each distinct
 * combination is a metric billed on its own: Requests and Latency by Service, Route and
 * StatusClass, and in ECS also by Service and TaskDefinition (with and without StatusClass), which
 * the rollback alarms watch; StoreLatency and ItemBytes by Service; StoreFailures by Service and
 * Failure; ClientErrors by Service and Reason.
 */
export function metricFields(outcome: RequestOutcome): Record<string, unknown> {
  const { metrics } = outcome;
  const fields: Record<string, unknown> = {
    Service: outcome.service,
    Route: outcome.route,
    StatusClass: `${Math.floor(outcome.statusCode / 100)}xx`,
    Requests: 1,
    Latency: outcome.latencyMs,
  };
  const directives: Directive[] = [
    directive(
      [
        ["Requests", "Count"],
        ["Latency", "Milliseconds"],
      ],
      ["Service", "Route", "StatusClass"],
    ),
  ];
  if (taskDefinition !== undefined) {
    fields.TaskDefinition = taskDefinition;
    directives.push(
      directive(
        [
          ["Requests", "Count"],
          ["Latency", "Milliseconds"],
        ],
        ["Service", "TaskDefinition"],
        ["Service", "TaskDefinition", "StatusClass"],
      ),
    );
  }
  const byService: [string, Unit][] = [];
  if (metrics.storeLatencies.length > 0) {
    fields.StoreLatency = metrics.storeLatencies.slice(0, 100);
    byService.push(["StoreLatency", "Milliseconds"]);
  }
  if (metrics.itemBytes !== undefined) {
    fields.ItemBytes = metrics.itemBytes;
    byService.push(["ItemBytes", "Bytes"]);
  }
  if (byService.length > 0) directives.push(directive(byService, ["Service"]));
  const failure = FAILURE_SEVERITY.find((kind) => metrics.storeFailures.includes(kind));
  if (failure !== undefined) {
    fields.Failure = failure;
    fields.StoreFailures = metrics.storeFailures.length;
    directives.push(directive([["StoreFailures", "Count"]], ["Service", "Failure"]));
  }
  const reason = clientErrorReason(outcome.statusCode);
  if (reason !== undefined) {
    fields.Reason = reason;
    fields.ClientErrors = 1;
    directives.push(directive([["ClientErrors", "Count"]], ["Service", "Reason"]));
  }
  fields._aws = { Timestamp: outcome.timestamp ?? Date.now(), CloudWatchMetrics: directives };
  return fields;
}

function directive(metrics: [string, Unit][], ...dimensions: string[][]): Directive {
  return {
    Namespace: METRICS_NAMESPACE,
    Dimensions: dimensions,
    Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
  };
}
