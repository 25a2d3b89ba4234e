import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { METRICS_NAMESPACE, type MetricsService } from "../../lib/metrics";
import { API_PREFIX, DELETE_ITEM_ROUTE, routeTemplate } from "../../lib/routes";

export interface MonitoringArgs {
  region: string;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
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

interface AlarmSpec {
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Dimensions;
  statistic?: string;
  extendedStatistic?: string;
  threshold: number;
  evaluationPeriods: number;
}

/** The DynamoDB operations the service and the function perform, for per-operation metrics. */
const TABLE_OPERATIONS = ["GetItem", "PutItem", "Scan", "DeleteItem"];
const PERIOD_SECONDS = 60;
/**
 * What lib/metrics.ts writes as EMF: Requests and Latency by Service, Route and StatusClass;
 * StoreLatency by Service; StoreFailures by Service and Failure.
 */
export const APP_METRICS = {
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

/**
 * Alarms on every moving part, all wired to one SNS topic; the service's target-group alarms also
 * roll a CodeDeploy deployment back. Plus a CloudWatch dashboard of the same metrics.
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  /**
   * Per target group ARN, the alarms that mean "the tasks in this group are bad" (5xx, latency,
   * unhealthy hosts of that group only): CodeDeploy stops and rolls back on them. The function, the
   * load balancer as a whole and the code's own metrics (error rate, p99 latency) have alarms that
   * notify but never roll back.
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

    const alarm = (suffix: string, spec: AlarmSpec) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.extendedStatistic === undefined ? (spec.statistic ?? "Sum") : undefined,
          extendedStatistic: spec.extendedStatistic,
          period: PERIOD_SECONDS,
          evaluationPeriods: spec.evaluationPeriods,
          threshold: spec.threshold,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: actions,
          okActions: actions,
        },
        { parent: this },
      );

    type Query = aws.types.input.cloudwatch.MetricAlarmMetricQuery;
    const mathAlarm = (
      suffix: string,
      spec: { description: string; threshold: number; evaluationPeriods: number },
      queries: Query[],
      expression: string,
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          alarmDescription: spec.description,
          evaluationPeriods: spec.evaluationPeriods,
          threshold: spec.threshold,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: actions,
          okActions: actions,
          metricQueries: [
            { id: "result", expression, label: spec.description, returnData: true },
            ...queries,
          ],
        },
        { parent: this },
      );
    const query = (
      id: string,
      namespace: string,
      metricName: string,
      dimensions: Dimensions,
      stat = "Sum",
    ): Query => ({
      id,
      metric: { namespace, metricName, dimensions, period: PERIOD_SECONDS, stat },
    });
    const sumAlarm = (
      suffix: string,
      description: string,
      namespace: string,
      metrics: { metricName: string; dimensions: Dimensions }[],
    ) =>
      mathAlarm(
        suffix,
        { description, threshold: 1, evaluationPeriods: 1 },
        metrics.map((metric, index) =>
          query(`m${index}`, namespace, metric.metricName, metric.dimensions),
        ),
        `SUM([${metrics.map((_, index) => `m${index}`).join(", ")}])`,
      );
    // Application alarms on the code's EMF metrics. They notify and never roll back: the metrics
    // carry no target group, so during a canary they mix the old tasks with the new, and a
    // rollout narrows its rollback alarms to the new tasks' target group.
    const errorRateAlarm = (suffix: string, what: string, service: string, routes: string[]) => {
      const requests = routes.flatMap((route, r) =>
        STATUS_CLASSES.map((statusClass) =>
          query(`r${r}s${statusClass}`, APP_METRICS.namespace, "Requests", {
            Service: service,
            Route: route,
            StatusClass: statusClass,
          }),
        ),
      );
      const sum = (ids: string[]) => `SUM([${ids.map((id) => `FILL(${id}, 0)`).join(", ")}])`;
      const ids = requests.map((q) => q.id as string);
      return mathAlarm(
        suffix,
        {
          description: `${what}: 5% or more of requests answered 5xx for 3 minutes`,
          threshold: 5,
          evaluationPeriods: 3,
        },
        [
          ...requests,
          { id: "errors", expression: sum(ids.filter((id) => id.endsWith("5xx"))) },
          { id: "total", expression: sum(ids) },
        ],
        `IF(total >= ${MIN_REQUESTS_FOR_RATE}, 100 * errors / total, 0)`,
      );
    };

    const service = { ClusterName: args.clusterName, ServiceName: args.serviceName };
    const table = { TableName: args.tableName };
    const fn = { FunctionName: args.functionName };

    const serviceAlarm = (suffix: string, what: string, metricName: string) =>
      alarm(suffix, {
        description: `Service ${what} above 85% for 3 minutes`,
        namespace: "AWS/ECS",
        metricName,
        dimensions: service,
        statistic: "Average",
        threshold: 85,
        evaluationPeriods: 3,
      });
    serviceAlarm("service-cpu", "CPU", "CPUUtilization");
    serviceAlarm("service-memory", "memory", "MemoryUtilization");
    const albAlarm = (suffix: string, spec: Omit<AlarmSpec, "namespace">) =>
      alarm(suffix, { namespace: "AWS/ApplicationELB", ...spec });
    albAlarm("alb-5xx", {
      description:
        "The load balancer itself answered 5xx (no healthy target, timeouts, a failed or throttled DELETE function)",
      metricName: "HTTPCode_ELB_5XX_Count",
      dimensions: { LoadBalancer: args.loadBalancerArnSuffix },
      threshold: 5,
      evaluationPeriods: 2,
    });
    const byGroup = Object.entries(args.targetGroups).map(([color, group]) => {
      const dimensions = { LoadBalancer: args.loadBalancerArnSuffix, TargetGroup: group.arnSuffix };
      const alarms = [
        albAlarm(`target-5xx-${color}`, {
          description: `Tasks in the ${color} target group answered 5xx`,
          metricName: "HTTPCode_Target_5XX_Count",
          dimensions,
          threshold: 5,
          evaluationPeriods: 2,
        }),
        albAlarm(`response-time-${color}`, {
          description: `p95 response time of the ${color} target group above 1 s for 3 minutes`,
          metricName: "TargetResponseTime",
          dimensions,
          extendedStatistic: "p95",
          threshold: 1,
          evaluationPeriods: 3,
        }),
        albAlarm(`unhealthy-${color}`, {
          description: `Unhealthy targets in the ${color} target group`,
          metricName: "UnHealthyHostCount",
          dimensions,
          statistic: "Maximum",
          threshold: 1,
          evaluationPeriods: 2,
        }),
      ];
      return pulumi.all([group.arn, ...alarms.map((a) => a.name)]);
    });
    sumAlarm("table-throttles", "DynamoDB read or write throttle events", "AWS/DynamoDB", [
      { metricName: "ReadThrottleEvents", dimensions: table },
      { metricName: "WriteThrottleEvents", dimensions: table },
    ]);
    sumAlarm(
      "table-system-errors",
      "DynamoDB system errors (HTTP 500 from the service)",
      "AWS/DynamoDB",
      TABLE_OPERATIONS.map((operation) => ({
        metricName: "SystemErrors",
        dimensions: { ...table, Operation: operation },
      })),
    );
    // The function's own alarms notify; they never roll back a deployment of the service.
    for (const [metricName, what] of [
      ["Errors", "failed invocations"],
      ["Throttles", "was throttled"],
    ]) {
      alarm(`function-${metricName.toLowerCase()}`, {
        description: `The DELETE function ${what}`,
        namespace: "AWS/Lambda",
        metricName,
        dimensions: fn,
        threshold: 1,
        evaluationPeriods: 1,
      });
    }

    errorRateAlarm("api-error-rate", "API", APP_METRICS.api, API_ROUTES);
    mathAlarm(
      "api-latency-p99",
      {
        description: "API: p99 latency of a route's 2xx answers at 1000 ms or more for 3 minutes",
        threshold: 1000,
        evaluationPeriods: 3,
      },
      API_ROUTES.map((route, r) =>
        query(
          `p${r}`,
          APP_METRICS.namespace,
          "Latency",
          { Service: APP_METRICS.api, Route: route, StatusClass: "2xx" },
          "p99",
        ),
      ),
      `MAX([${API_ROUTES.map((_, r) => `p${r}`).join(", ")}])`,
    );
    errorRateAlarm("function-error-rate", "DELETE function", APP_METRICS.function, [
      FUNCTION_ROUTE,
    ]);
    alarm("function-duration-p99", {
      description: "DELETE function: p99 duration at 2000 ms or more for 3 minutes",
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions: fn,
      extendedStatistic: "p99",
      threshold: 2000,
      evaluationPeriods: 3,
    });

    alarm("waf-blocked", {
      description: "The web ACL blocked 100 or more requests a minute for 3 minutes",
      namespace: "AWS/WAFV2",
      metricName: "BlockedRequests",
      dimensions: { WebACL: args.webAclName, Region: args.region, Rule: "ALL" },
      threshold: 100,
      evaluationPeriods: 3,
    });

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `${pulumi.getProject()}-${pulumi.getStack()}`,
        dashboardBody: dashboardBody(args),
      },
      { parent: this },
    );

    this.topicArn = topic.arn;
    this.rollbackAlarms = pulumi
      .all(byGroup)
      .apply((groups) => Object.fromEntries(groups.map(([arn, ...names]) => [arn, names])));
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ topicArn: this.topicArn, dashboardName: this.dashboardName });
  }
}

/** One screen that answers "is picus healthy?": traffic, errors, latency, store, function, deploy. */
function dashboardBody(args: MonitoringArgs): pulumi.Output<string> {
  const { namespace } = APP_METRICS;
  type Series = unknown[];
  const widget = (title: string, metrics: Series[], stat = "Sum") => ({
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
  const route = "Service,Route,StatusClass";
  const api = `Service="${APP_METRICS.api}"`;
  const lb = ["LoadBalancer", args.loadBalancerArnSuffix];
  const alb = (name: string, options?: object) => metric("AWS/ApplicationELB", name, lb, options);
  const fn = (name: string, options?: object) =>
    metric("AWS/Lambda", name, ["FunctionName", args.functionName], options);
  const byColor = Object.entries(args.targetGroups).flatMap(([color, group]) =>
    ["HealthyHostCount", "UnHealthyHostCount"].map((name) =>
      metric("AWS/ApplicationELB", name, ["TargetGroup", group.arnSuffix, ...lb], {
        label: `${color} ${name}`,
      }),
    ),
  );
  const store = (name: string, stat: string) =>
    [APP_METRICS.api, APP_METRICS.function].map((service) =>
      metric(namespace, name, ["Service", service], { stat, label: `${service} ${stat}` }),
    );
  const coldStarts = pulumi.interpolate`SOURCE '${args.functionLogGroupName}' | ${[
    'filter type = "platform.report" and ispresent(record.metrics.initDurationMs)',
    "stats count(*) as coldStarts, avg(record.metrics.initDurationMs) as initMs by bin(5m)",
  ].join(" | ")}`;

  return pulumi.jsonStringify({
    widgets: [
      widget("Traffic: ALB requests", [alb("RequestCount")]),
      widget("Traffic: API requests by route", [
        search("requests", route, `MetricName="Requests" ${api}`, "Sum"),
      ]),
      widget("Errors: ALB and target 5xx", [
        alb("HTTPCode_ELB_5XX_Count"),
        alb("HTTPCode_Target_5XX_Count"),
      ]),
      widget("Errors: API 4xx and 5xx by route", [
        search("client", route, `MetricName="Requests" ${api} StatusClass="4xx"`, "Sum"),
        search("server", route, `MetricName="Requests" ${api} StatusClass="5xx"`, "Sum"),
      ]),
      widget(
        "Latency: API p50 by route (ms)",
        [search("p50", route, `MetricName="Latency" ${api}`, "p50")],
        "p50",
      ),
      widget(
        "Latency: API p99 by route (ms)",
        [search("p99", route, `MetricName="Latency" ${api}`, "p99")],
        "p99",
      ),
      widget(
        "Store: latency p50 and p99 (ms)",
        [...store("StoreLatency", "p50"), ...store("StoreLatency", "p99")],
        "p99",
      ),
      widget("Store: failures by kind", [
        search("failures", "Service,Failure", 'MetricName="StoreFailures"', "Sum"),
      ]),
      widget(
        "Store: DynamoDB throttles",
        ["ReadThrottleEvents", "WriteThrottleEvents"].map((name) =>
          metric("AWS/DynamoDB", name, ["TableName", args.tableName]),
        ),
      ),
      widget(
        "Function: duration p50 and p99 (ms)",
        [fn("Duration", { stat: "p50" }), fn("Duration", { stat: "p99" })],
        "p99",
      ),
      widget("Function: invocations, errors, throttles", [
        fn("Invocations"),
        fn("Errors"),
        fn("Throttles"),
      ]),
      widget("Function: concurrent executions", [fn("ConcurrentExecutions")], "Maximum"),
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
      widget("Deployment: healthy and unhealthy tasks, blue and green", byColor, "Maximum"),
      widget(
        "Service: CPU and memory (%)",
        ["CPUUtilization", "MemoryUtilization"].map((name) =>
          metric("AWS/ECS", name, [
            "ClusterName",
            args.clusterName,
            "ServiceName",
            args.serviceName,
          ]),
        ),
        "Average",
      ),
    ],
  });
}
