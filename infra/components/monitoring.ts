import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface MonitoringArgs {
  region: string;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  loadBalancerArnSuffix: pulumi.Input<string>;
  /** The service's blue and green target groups, by color. */
  targetGroups: Record<string, { arn: pulumi.Output<string>; arnSuffix: pulumi.Output<string> }>;
  tableName: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
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
 * Alarms on every moving part, all wired to one SNS topic; the service's target-group alarms also
 * roll a CodeDeploy deployment back. Plus a CloudWatch dashboard of the same metrics.
 */
export class Monitoring extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  /**
   * Per target group ARN, the alarms that mean "the tasks in this group are bad" (5xx, latency,
   * unhealthy hosts of that group only): CodeDeploy stops and rolls back on them. The function and
   * the load balancer as a whole have their own alarms, which notify but never roll back.
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

    const sumAlarm = (
      suffix: string,
      description: string,
      namespace: string,
      metrics: { metricName: string; dimensions: Dimensions }[],
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          alarmDescription: description,
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: actions,
          okActions: actions,
          metricQueries: [
            {
              id: "total",
              expression: `SUM([${metrics.map((_, index) => `m${index}`).join(", ")}])`,
              label: description,
              returnData: true,
            },
            ...metrics.map((metric, index) => ({
              id: `m${index}`,
              metric: {
                namespace,
                metricName: metric.metricName,
                dimensions: metric.dimensions,
                period: PERIOD_SECONDS,
                stat: "Sum",
              },
            })),
          ],
        },
        { parent: this },
      );

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

function dashboardBody(args: MonitoringArgs): pulumi.Output<string> {
  const widget = (title: string, metrics: unknown[][], stat = "Sum") => ({
    type: "metric",
    width: 12,
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
  const series = (namespace: string, dimensions: unknown[], ...names: string[]) =>
    names.map((metricName) => [namespace, metricName, ...dimensions]);
  const alb = (...names: string[]) =>
    series("AWS/ApplicationELB", ["LoadBalancer", args.loadBalancerArnSuffix], ...names);
  return pulumi.jsonStringify({
    widgets: [
      widget(
        "ALB requests and errors",
        alb(
          "RequestCount",
          "HTTPCode_Target_4XX_Count",
          "HTTPCode_Target_5XX_Count",
          "HTTPCode_ELB_5XX_Count",
        ),
      ),
      widget("ALB target response time (p95)", alb("TargetResponseTime"), "p95"),
      widget(
        "Service CPU and memory",
        series(
          "AWS/ECS",
          ["ClusterName", args.clusterName, "ServiceName", args.serviceName],
          "CPUUtilization",
          "MemoryUtilization",
        ),
        "Average",
      ),
      widget(
        "DynamoDB capacity and throttles",
        series(
          "AWS/DynamoDB",
          ["TableName", args.tableName],
          ...["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"],
          ...["ReadThrottleEvents", "WriteThrottleEvents"],
        ),
      ),
      widget(
        "DELETE function",
        series(
          "AWS/Lambda",
          ["FunctionName", args.functionName],
          "Invocations",
          "Errors",
          "Throttles",
        ),
      ),
    ],
  });
}
