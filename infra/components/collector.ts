import type * as pulumi from "@pulumi/pulumi";

/** AWS Distro for OpenTelemetry collector, pulled from public ECR through the NAT. */
export const COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3";
export const COLLECTOR_NAME = "otel-collector";
/** The OTLP/HTTP receiver the app exports to; the task's containers share one network namespace. */
export const OTLP_HTTP_ENDPOINT = "http://127.0.0.1:4318";
/** The image has no shell: its own /healthcheck binary asks the health_check extension on :13133. */
const HEALTH_CHECK_PORT = 13133;

/**
 * OTLP in, batched, out to X-Ray. Listening on loopback only: nothing outside the task sends
 * spans. No remote sampling: the app samples (OTEL_TRACES_SAMPLER), so the collector needs
 * X-Ray writes and nothing else.
 */
export function collectorConfig(region: string): string {
  return [
    "extensions:",
    "  health_check:",
    `    endpoint: 127.0.0.1:${HEALTH_CHECK_PORT}`,
    "receivers:",
    "  otlp:",
    "    protocols:",
    "      grpc:",
    "        endpoint: 127.0.0.1:4317",
    "      http:",
    "        endpoint: 127.0.0.1:4318",
    "processors:",
    "  batch:",
    "exporters:",
    "  awsxray:",
    `    region: ${region}`,
    "service:",
    "  extensions: [health_check]",
    "  pipelines:",
    "    traces:",
    "      receivers: [otlp]",
    "      processors: [batch]",
    "      exporters: [awsxray]",
    "",
  ].join("\n");
}

export interface CollectorArgs {
  region: string;
  cpu: number;
  memoryMb: number;
  logGroupName: pulumi.Input<string>;
}

/**
 * The collector's container definition: not essential, so the API keeps serving (untraced) if
 * the collector dies, and the API does not wait for it. No port mappings: only the API's port
 * reaches the load balancer, and CodeDeploy's AppSpec names the API container alone.
 */
export function collectorContainer(args: CollectorArgs) {
  return {
    name: COLLECTOR_NAME,
    image: COLLECTOR_IMAGE,
    essential: false,
    cpu: args.cpu,
    memory: args.memoryMb,
    user: "10001:10001",
    readonlyRootFilesystem: true,
    environment: [
      { name: "AOT_CONFIG_CONTENT", value: collectorConfig(args.region) },
      { name: "AWS_REGION", value: args.region },
      // The Go runtime collects garbage before the container's hard limit kills it.
      { name: "GOMEMLIMIT", value: `${Math.floor(args.memoryMb * 0.8)}MiB` },
    ],
    // A collector that exits after running a minute is restarted in place, the task untouched.
    restartPolicy: { enabled: true, restartAttemptPeriod: 60 },
    healthCheck: {
      command: ["CMD", "/healthcheck"],
      interval: 30,
      timeout: 5,
      retries: 3,
      startPeriod: 10,
    },
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": args.logGroupName,
        "awslogs-region": args.region,
        "awslogs-stream-prefix": COLLECTOR_NAME,
      },
    },
  };
}

/** What the app's OpenTelemetry SDK reads: where to export, as which service, how many to keep. */
export function tracingEnvironment(sampleRatio: number): { name: string; value: string }[] {
  return Object.entries({
    OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_HTTP_ENDPOINT,
    OTEL_SERVICE_NAME: "picus-api",
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: String(sampleRatio),
    OTEL_PROPAGATORS: "xray",
  }).map(([name, value]) => ({ name, value }));
}

/** The two X-Ray writes; neither has a resource-level form, so the resource is "*". */
export const XRAY_WRITE_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];
