import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { METRICS_NAMESPACE, type MetricsService } from "../../lib/metrics";
import { API_PREFIX, DELETE_ITEM_ROUTE, routeTemplate } from "../../lib/routes";
import { stackPrefix } from "../naming";

export interface MonitoringArgs {
  region: string;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  /** The task definition being deployed (`family:revision`), as the API's metrics name it. */
  taskDefinition: pulumi.Input<string>;
  loadBalancerArnSuffix: pulumi.Input<string>;
  /** The service's blue and green target groups, by color. */
  targetGroups: Record<string, { arn: pulumi.Output<string>; arnSuffix: pulumi.Output<string> }>;
  tableName: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  /** The function's log group: its platform reports carry the cold starts' init durations. */
  functionLogGroupName: pulumi.Input<string>;
  webAclName: pulumi.Input<string>;
  /** Subscribed to the alarm topic when set (AWS mails a confirmation link first). */
  alarmEmail?: string;
}

type Dimensions = Record<string, pulumi.Input<string>>;
type Query = aws.types.input.cloudwatch.MetricAlarmMetricQuery;
/** What an alarm watches: one metric (a `p…` stat is a percentile), or an expression over queries. */
type Watched =
  | { namespace: string; metricName: string; dimensions: Dimensions; stat: string }
  | { expression: string; queries: Query[] };

/** The DynamoDB operations the service and the function perform, for per-operation metrics. */
const TABLE_OPERATIONS = ["GetItem", "PutItem", "Scan", "DeleteItem"];
const PERIOD_SECONDS = 60;
/**
 * What lib/metrics.ts writes as EMF: Requests and Latency by Service, Route and StatusClass, and
 * the API's also by TaskDefinition; StoreLatency by Service; StoreFailures by Service and Failure.
 */
const APP_METRICS = {
  namespace: METRICS_NAMESPACE,
  api: "api" satisfies MetricsService,
  function: "delete-function" satisfies MetricsService,
};
/** The API's product routes as their Route dimension (health checks left out), and the function's. */
export const API_ROUTES = [
  ["GET", `${API_PREFIX}/list`],
  ["POST", `${API_PREFIX}/put`],
  ["GET", `${API_PREFIX}/get/key`],
].map(([method, path]) => routeTemplate(method, path));
export const FUNCTION_ROUTE = routeTemplate(DELETE_ITEM_ROUTE.method, `${API_PREFIX}/key`);
/** Status classes the code answers with; 3xx never. */
const STATUS_CLASSES = ["2xx", "4xx", "5xx"];
/** Below this many requests a minute an error rate says nothing: the alarm reads 0. */
const MIN_REQUESTS_FOR_RATE = 20;

const query = (
  id: string,
  namespace: string,
  metricName: string,
  dimensions: Dimensions,
  stat = "Sum",
): Query => ({ id, metric: { namespace, metricName, dimensions, period: PERIOD_SECONDS, stat } });
const sumOf = (ids: string[]) => `SUM([${ids.join(", ")}])`;
/** Any of the metrics counted at least once in a minute. */
const anyOf = (namespace: string, metrics: [string, Dimensions][]): Watched => {
  const queries = metrics.map(([metricName, dimensions], i) =>
    query(`m${i}`, namespace, metricName, dimensions),
  );
  return { queries, expression: sumOf(queries.map((q) => q.id as string)) };
};
/** 5xx answers as a share of all, from the code's EMF metrics; 0 below the traffic floor. */
const rateOf = (errors: string, total: string) =>
  `IF(${total} >= ${MIN_REQUESTS_FOR_RATE}, 100 * ${errors} / ${total}, 0)`;

/**
 * The share of a service's requests answered 5xx, over its routes. Such alarms notify and never
 * roll back: they mix every task definition the service runs, and an alarm about the version
 * serving now (the reason for a fix) must not stop the fix.
 */
const errorRate = (service: string, routes: string[]): Watched => {
  const requests = routes.flatMap((Route, r) =>
    STATUS_CLASSES.map((StatusClass) =>
      query(`r${r}s${StatusClass}`, APP_METRICS.namespace, "Requests", {
        Service: service,
        Route,
        StatusClass,
      }),
    ),
  );
  const ids = requests.map((q) => q.id as string);
  const filled = (some: string[]) => sumOf(some.map((id) => `FILL(${id}, 0)`));
  return {
    queries: [
      ...requests,
      { id: "errors", expression: filled(ids.filter((id) => id.endsWith("5xx"))) },
      { id: "total", expression: filled(ids) },
    ],
    expression: rateOf("errors", "total"),
  };
};

/**
 * Alarms on every moving part, all wired to one SNS topic; the service's target-group alarms and
 * the deployed task definition's alarms also roll a CodeDeploy deployment back. Plus a CloudWatch
 * dashboard of the same metrics.
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  /**
   * Per target group ARN, the alarms that mean "the tasks in this group are bad" (5xx, latency,
   * unhealthy hosts of that group only), plus the API's error rate and p99 of the task definition
   * being deployed: CodeDeploy stops and rolls back on them. The function, the load balancer as a
   * whole and the API's metrics over every task definition have alarms that notify only.
   */
  public readonly rollbackAlarms: pulumi.Output<Record<string, string[]>>;
  public readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:monitoring:Monitoring", name, {}, opts);

    const topic = new aws.sns.Topic(`${name}-alarms`, {}, { parent: this });
    if (args.alarmEmail !== undefined) {
      new aws.sns.TopicSubscription(
        `${name}-alarms-email`,
        { topic: topic.arn, protocol: "email", endpoint: args.alarmEmail },
        { parent: this },
      );
    }
    const actions = [topic.arn];

    /** At or above `threshold` for `evaluationPeriods` minutes in a row. */
    const alarm = (
      suffix: string,
      description: string,
      threshold: number,
      evaluationPeriods: number,
      watched: Watched,
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          alarmDescription: description,
          ...("expression" in watched
            ? {
                metricQueries: [
                  {
                    id: "result",
                    expression: watched.expression,
                    label: description,
                    returnData: true,
                  },
                  ...watched.queries,
                ],
              }
            : {
                namespace: watched.namespace,
                metricName: watched.metricName,
                dimensions: watched.dimensions,
                period: PERIOD_SECONDS,
                ...(/^p\d+$/.test(watched.stat)
                  ? { extendedStatistic: watched.stat }
                  : { statistic: watched.stat }),
              }),
          evaluationPeriods,
          threshold,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: actions,
          okActions: actions,
        },
        { parent: this },
      );
    const metrics =
      (namespace: string, dimensions: Dimensions) =>
      (metricName: string, stat = "Sum"): Watched => ({ namespace, metricName, dimensions, stat });
    const service = metrics("AWS/ECS", {
      ClusterName: args.clusterName,
      ServiceName: args.serviceName,
    });
    const lb = { LoadBalancer: args.loadBalancerArnSuffix };
    const fn = metrics("AWS/Lambda", { FunctionName: args.functionName });
    const table = { TableName: args.tableName };

    alarm(
      "service-cpu",
      "Service CPU above 85% for 3 minutes",
      85,
      3,
      service("CPUUtilization", "Average"),
    );
    alarm(
      "service-memory",
      "Service memory above 85% for 3 minutes",
      85,
      3,
      service("MemoryUtilization", "Average"),
    );
    alarm(
      "alb-5xx",
      "The load balancer itself answered 5xx (no healthy target, timeouts, a failed or throttled DELETE function)",
      5,
      2,
      metrics("AWS/ApplicationELB", lb)("HTTPCode_ELB_5XX_Count"),
    );
    const byGroup = Object.entries(args.targetGroups).map(([color, group]) => {
      const target = metrics("AWS/ApplicationELB", { ...lb, TargetGroup: group.arnSuffix });
      const alarms = [
        alarm(
          `target-5xx-${color}`,
          `Tasks in the ${color} target group answered 5xx`,
          5,
          2,
          target("HTTPCode_Target_5XX_Count"),
        ),
        alarm(
          `response-time-${color}`,
          `p95 response time of the ${color} target group above 1 s for 3 minutes`,
          1,
          3,
          target("TargetResponseTime", "p95"),
        ),
        alarm(
          `unhealthy-${color}`,
          `Unhealthy targets in the ${color} target group`,
          1,
          2,
          target("UnHealthyHostCount", "Maximum"),
        ),
      ];
      return pulumi.all([group.arn, ...alarms.map((a) => a.name)]);
    });
    // The API's tasks of the task definition being deployed, by their own metrics: whichever
    // target group they join, these judge them alone.
    const revision = { Service: APP_METRICS.api, TaskDefinition: args.taskDefinition };
    const revisionAlarms = [
      alarm(
        "revision-error-rate",
        "API tasks of the deployed task definition: 5% or more of requests answered 5xx for 3 minutes",
        5,
        3,
        {
          queries: [
            query("errors", APP_METRICS.namespace, "Requests", { ...revision, StatusClass: "5xx" }),
            query("total", APP_METRICS.namespace, "Requests", revision),
          ],
          expression: rateOf("FILL(errors, 0)", "total"),
        },
      ),
      alarm(
        "revision-latency-p99",
        "API tasks of the deployed task definition: p99 latency at 1000 ms or more for 3 minutes",
        1000,
        3,
        metrics(APP_METRICS.namespace, revision)("Latency", "p99"),
      ),
    ];
    alarm(
      "table-throttles",
      "DynamoDB read or write throttle events",
      1,
      1,
      anyOf("AWS/DynamoDB", [
        ["ReadThrottleEvents", table],
        ["WriteThrottleEvents", table],
      ]),
    );
    alarm(
      "table-system-errors",
      "DynamoDB system errors (HTTP 500 from the service)",
      1,
      1,
      anyOf(
        "AWS/DynamoDB",
        TABLE_OPERATIONS.map((Operation) => ["SystemErrors", { ...table, Operation }]),
      ),
    );
    alarm("function-errors", "The DELETE function failed invocations", 1, 1, fn("Errors"));
    alarm("function-throttles", "The DELETE function was throttled", 1, 1, fn("Throttles"));
    alarm(
      "api-error-rate",
      "API: 5% or more of requests answered 5xx for 3 minutes",
      5,
      3,
      errorRate(APP_METRICS.api, API_ROUTES),
    );
    alarm(
      "api-latency-p99",
      "API: p99 latency of a route's 2xx answers at 1000 ms or more for 3 minutes",
      1000,
      3,
      {
        queries: API_ROUTES.map((Route, r) =>
          query(
            `p${r}`,
            APP_METRICS.namespace,
            "Latency",
            { Service: APP_METRICS.api, Route, StatusClass: "2xx" },
            "p99",
          ),
        ),
        expression: `MAX([${API_ROUTES.map((_, r) => `p${r}`).join(", ")}])`,
      },
    );
    alarm(
      "function-error-rate",
      "DELETE function: 5% or more of requests answered 5xx for 3 minutes",
      5,
      3,
      errorRate(APP_METRICS.function, [FUNCTION_ROUTE]),
    );
    alarm(
      "function-duration-p99",
      "DELETE function: p99 duration at 2000 ms or more for 3 minutes",
      2000,
      3,
      fn("Duration", "p99"),
    );
    alarm(
      "waf-blocked",
      "The web ACL blocked 100 or more requests a minute for 3 minutes",
      100,
      3,
      metrics("AWS/WAFV2", { WebACL: args.webAclName, Region: args.region, Rule: "ALL" })(
        "BlockedRequests",
      ),
    );

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: stackPrefix(),
        dashboardBody: dashboardBody(args),
      },
      { parent: this },
    );

    this.topicArn = topic.arn;
    this.rollbackAlarms = pulumi
      .all([pulumi.all(byGroup), pulumi.all(revisionAlarms.map((a) => a.name))])
      .apply(([groups, revisionNames]) =>
        Object.fromEntries(groups.map(([arn, ...names]) => [arn, [...names, ...revisionNames]])),
      );
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ topicArn: this.topicArn, dashboardName: this.dashboardName });
  }
}

/** One screen that answers "is picus healthy?": traffic, errors, latency, store, function, deploy. */
function dashboardBody(args: MonitoringArgs): pulumi.Output<string> {
  const { namespace } = APP_METRICS;
  type Series = unknown[];
  const widget = (title: string, stat: string, metrics: Series[]) => ({
    type: "metric",
    width: 8,
    height: 6,
    properties: {
      title,
      region: args.region,
      stat,
      period: PERIOD_SECONDS,
      view: "timeSeries",
      metrics,
    },
  });
  const metric = (ns: string, name: string, dimensions: unknown[], options?: object): Series => [
    ns,
    name,
    ...dimensions,
    ...(options === undefined ? [] : [options]),
  ];
  // Routes are not listed here: a search finds every one the code has emitted, labelled by its
  // dimension values.
  const search = (id: string, schema: string, filter: string, stat: string): Series => [
    {
      id,
      expression: `SEARCH('{${namespace},${schema}} ${filter}', '${stat}', ${PERIOD_SECONDS})`,
    },
  ];
  const byRoute = (id: string, metricName: string, filter = "", stat = "Sum") =>
    search(
      id,
      "Service,Route,StatusClass",
      `MetricName="${metricName}" Service="${APP_METRICS.api}"${filter}`,
      stat,
    );
  const lb = ["LoadBalancer", args.loadBalancerArnSuffix];
  const alb = (name: string) => metric("AWS/ApplicationELB", name, lb);
  const fn = (name: string, options?: object) =>
    metric("AWS/Lambda", name, ["FunctionName", args.functionName], options);
  const byColor = Object.entries(args.targetGroups).flatMap(([color, group]) =>
    ["HealthyHostCount", "UnHealthyHostCount"].map((name) =>
      metric("AWS/ApplicationELB", name, ["TargetGroup", group.arnSuffix, ...lb], {
        label: `${color} ${name}`,
      }),
    ),
  );
  const percentiles = ["p50", "p99"];
  const service = ["ClusterName", args.clusterName, "ServiceName", args.serviceName];
  const coldStarts = pulumi.interpolate`SOURCE '${args.functionLogGroupName}' | ${[
    'filter type = "platform.report" and ispresent(record.metrics.initDurationMs)',
    "stats count(*) as coldStarts, avg(record.metrics.initDurationMs) as initMs by bin(5m)",
  ].join(" | ")}`;

  return pulumi.jsonStringify({
    widgets: [
      widget("Traffic: ALB requests", "Sum", [alb("RequestCount")]),
      widget("Traffic: API requests by route", "Sum", [byRoute("requests", "Requests")]),
      widget("Errors: ALB and target 5xx", "Sum", [
        alb("HTTPCode_ELB_5XX_Count"),
        alb("HTTPCode_Target_5XX_Count"),
      ]),
      widget("Errors: API 4xx and 5xx by route", "Sum", [
        byRoute("client", "Requests", ' StatusClass="4xx"'),
        byRoute("server", "Requests", ' StatusClass="5xx"'),
      ]),
      ...percentiles.map((p) =>
        widget(`Latency: API ${p} by route (ms)`, p, [byRoute(p, "Latency", "", p)]),
      ),
      widget(
        "Store: latency p50 and p99 (ms)",
        "p99",
        percentiles.flatMap((stat) =>
          [APP_METRICS.api, APP_METRICS.function].map((svc) =>
            metric(namespace, "StoreLatency", ["Service", svc], { stat, label: `${svc} ${stat}` }),
          ),
        ),
      ),
      widget("Store: failures by kind", "Sum", [
        search("failures", "Service,Failure", 'MetricName="StoreFailures"', "Sum"),
      ]),
      widget(
        "Store: DynamoDB throttles",
        "Sum",
        ["ReadThrottleEvents", "WriteThrottleEvents"].map((name) =>
          metric("AWS/DynamoDB", name, ["TableName", args.tableName]),
        ),
      ),
      widget(
        "Function: duration p50 and p99 (ms)",
        "p99",
        percentiles.map((stat) => fn("Duration", { stat })),
      ),
      widget(
        "Function: invocations, errors, throttles",
        "Sum",
        ["Invocations", "Errors", "Throttles"].map((name) => fn(name)),
      ),
      widget("Function: concurrent executions", "Maximum", [fn("ConcurrentExecutions")]),
      {
        // Lambda Insights is off: cold starts come from the platform reports in the function's logs.
        type: "log",
        width: 8,
        height: 6,
        properties: {
          title: "Function: cold starts and init duration (ms)",
          region: args.region,
          view: "timeSeries",
          query: coldStarts,
        },
      },
      widget("Deployment: healthy and unhealthy tasks, blue and green", "Maximum", byColor),
      widget(
        "Service: CPU and memory (%)",
        "Average",
        ["CPUUtilization", "MemoryUtilization"].map((name) => metric("AWS/ECS", name, service)),
      ),
    ],
  });
}
