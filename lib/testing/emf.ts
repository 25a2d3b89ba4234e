import Ajv from "ajv";

/**
 * The embedded metric format's rules, from its specification:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * The schema checks the `_aws` member; emfProblems adds the rules a schema cannot state (each
 * dimension a top-level string, each metric a top-level number or array of at most 100 numbers).
 */
const UNITS = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
];

const EMF_SCHEMA = {
  type: "object",
  required: ["_aws"],
  properties: {
    _aws: {
      type: "object",
      required: ["Timestamp", "CloudWatchMetrics"],
      properties: {
        Timestamp: { type: "integer", minimum: 0 },
        CloudWatchMetrics: {
          type: "array",
          items: {
            type: "object",
            required: ["Namespace", "Dimensions", "Metrics"],
            properties: {
              Namespace: { type: "string", minLength: 1, maxLength: 1024 },
              Dimensions: {
                type: "array",
                items: {
                  type: "array",
                  maxItems: 30,
                  items: { type: "string", minLength: 1, maxLength: 250 },
                },
              },
              Metrics: {
                type: "array",
                maxItems: 100,
                items: {
                  type: "object",
                  required: ["Name"],
                  properties: {
                    Name: { type: "string", minLength: 1, maxLength: 1024 },
                    Unit: { enum: UNITS },
                    StorageResolution: { enum: [1, 60] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile(EMF_SCHEMA);

interface Directive {
  Dimensions: string[][];
  Metrics: { Name: string }[];
}

const isNumber = (value: unknown) => typeof value === "number" && Number.isFinite(value);

/** What makes `line` invalid as an EMF document; empty when it is valid. */
export function emfProblems(line: Record<string, unknown>): string[] {
  if (!validate(line)) return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  const problems: string[] = [];
  const { CloudWatchMetrics } = line._aws as { CloudWatchMetrics: Directive[] };
  for (const directive of CloudWatchMetrics) {
    for (const name of directive.Dimensions.flat()) {
      if (typeof line[name] !== "string") problems.push(`dimension ${name} is not a string`);
    }
    for (const { Name } of directive.Metrics) {
      const value = line[Name];
      const valid = Array.isArray(value)
        ? value.length <= 100 && value.every(isNumber)
        : isNumber(value);
      if (!valid) problems.push(`metric ${Name} is not a number or an array of numbers`);
    }
  }
  return problems;
}

/** Each metric of an EMF line with the dimension sets it is published under. */
export function emfMetrics(line: Record<string, unknown>): Record<string, string[][]> {
  const { CloudWatchMetrics } = line._aws as { CloudWatchMetrics: Directive[] };
  const metrics: Record<string, string[][]> = {};
  for (const { Dimensions, Metrics } of CloudWatchMetrics) {
    for (const { Name } of Metrics) (metrics[Name] ??= []).push(...Dimensions);
  }
  return metrics;
}
