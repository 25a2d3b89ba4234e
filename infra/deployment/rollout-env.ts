import type { TaskNetwork } from "./appspec";
import type { RolloutRequest } from "./rollout";

/** The environment contract between the Pulumi component and the rollout CLI. */
export const ROLLOUT_ENV = {
  applicationName: "ROLLOUT_APPLICATION_NAME",
  deploymentGroupName: "ROLLOUT_DEPLOYMENT_GROUP_NAME",
  clusterName: "ROLLOUT_CLUSTER_NAME",
  serviceName: "ROLLOUT_SERVICE_NAME",
  taskDefinitionArn: "ROLLOUT_TASK_DEFINITION_ARN",
  containerName: "ROLLOUT_CONTAINER_NAME",
  containerPort: "ROLLOUT_CONTAINER_PORT",
  timeoutMinutes: "ROLLOUT_TIMEOUT_MINUTES",
  region: "AWS_REGION",
} as const;

/** The tasks' network: all three variables or none (then CodeDeploy keeps the current one). */
export const ROLLOUT_NETWORK_ENV = {
  subnets: "ROLLOUT_SUBNETS",
  securityGroups: "ROLLOUT_SECURITY_GROUPS",
  assignPublicIp: "ROLLOUT_ASSIGN_PUBLIC_IP",
} as const;

/** Covers a canary of up to 15 minutes, a termination wait and task start-up, with margin. */
export const DEFAULT_TIMEOUT_MINUTES = 60;

/** What the component hands the CLI: the deployment's target, where it runs, and its time budget. */
export interface RolloutSettings extends Omit<
  RolloutRequest,
  "platformVersion" | "description" | "timeoutMs"
> {
  region: string;
  timeoutMinutes?: number;
}

const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[\w-]+:\d+$/;
const SUBNET_ID = /^subnet-[0-9a-f]+$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]+$/;

export class RolloutConfigError extends Error {
  override readonly name = "RolloutConfigError";
}

export function rolloutEnvironment(settings: RolloutSettings): Record<string, string> {
  return {
    [ROLLOUT_ENV.applicationName]: settings.applicationName,
    [ROLLOUT_ENV.deploymentGroupName]: settings.deploymentGroupName,
    [ROLLOUT_ENV.clusterName]: settings.clusterName,
    [ROLLOUT_ENV.serviceName]: settings.serviceName,
    [ROLLOUT_ENV.taskDefinitionArn]: settings.taskDefinitionArn,
    [ROLLOUT_ENV.containerName]: settings.containerName,
    [ROLLOUT_ENV.containerPort]: String(settings.containerPort),
    [ROLLOUT_ENV.timeoutMinutes]: String(settings.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES),
    [ROLLOUT_ENV.region]: settings.region,
    ...(settings.network ? networkEnvironment(settings.network) : {}),
  };
}

function networkEnvironment(network: TaskNetwork): Record<string, string> {
  return {
    [ROLLOUT_NETWORK_ENV.subnets]: network.subnets.join(","),
    [ROLLOUT_NETWORK_ENV.securityGroups]: network.securityGroups.join(","),
    [ROLLOUT_NETWORK_ENV.assignPublicIp]: network.assignPublicIp ? "ENABLED" : "DISABLED",
  };
}

function networkFromEnv(env: NodeJS.ProcessEnv, problems: string[]): TaskNetwork | undefined {
  const raw = {
    subnets: env[ROLLOUT_NETWORK_ENV.subnets]?.trim() ?? "",
    securityGroups: env[ROLLOUT_NETWORK_ENV.securityGroups]?.trim() ?? "",
    assignPublicIp: env[ROLLOUT_NETWORK_ENV.assignPublicIp]?.trim() ?? "",
  };
  if (Object.values(raw).every((value) => value === "")) return undefined;
  const list = (key: "subnets" | "securityGroups", pattern: RegExp, what: string): string[] => {
    const values = raw[key].split(",").map((value) => value.trim());
    if (values.some((value) => !pattern.test(value))) {
      problems.push(`${ROLLOUT_NETWORK_ENV[key]} must list ${what} IDs, got "${raw[key]}"`);
    }
    return values;
  };
  const subnets = list("subnets", SUBNET_ID, "subnet");
  const securityGroups = list("securityGroups", SECURITY_GROUP_ID, "security group");
  if (raw.assignPublicIp !== "ENABLED" && raw.assignPublicIp !== "DISABLED") {
    problems.push(
      `${ROLLOUT_NETWORK_ENV.assignPublicIp} must be ENABLED or DISABLED, got "${raw.assignPublicIp}"`,
    );
  }
  return { subnets, securityGroups, assignPublicIp: raw.assignPublicIp === "ENABLED" };
}

/** Reads and validates every setting, reporting all problems at once. */
export function rolloutSettingsFromEnv(env: NodeJS.ProcessEnv): {
  region: string;
  request: RolloutRequest;
} {
  const problems: string[] = [];
  const text = (key: keyof typeof ROLLOUT_ENV): string => {
    const value = env[ROLLOUT_ENV[key]]?.trim();
    if (!value) problems.push(`${ROLLOUT_ENV[key]} is required`);
    return value ?? "";
  };
  const positiveNumber = (key: keyof typeof ROLLOUT_ENV, fallback?: number): number => {
    const raw = env[ROLLOUT_ENV[key]]?.trim();
    if (!raw && fallback !== undefined) return fallback;
    const value = Number(raw);
    if (!raw || !Number.isFinite(value) || value <= 0) {
      problems.push(`${ROLLOUT_ENV[key]} must be a positive number, got "${raw ?? ""}"`);
    }
    return value;
  };

  const taskDefinitionArn = text("taskDefinitionArn");
  if (taskDefinitionArn && !TASK_DEFINITION_ARN.test(taskDefinitionArn)) {
    problems.push(
      `${ROLLOUT_ENV.taskDefinitionArn} must be a task definition ARN with a revision, got "${taskDefinitionArn}"`,
    );
  }
  const containerPort = positiveNumber("containerPort");
  if (containerPort > 0 && (!Number.isInteger(containerPort) || containerPort > 65535)) {
    problems.push(`${ROLLOUT_ENV.containerPort} must be a port number`);
  }
  const request: RolloutRequest = {
    applicationName: text("applicationName"),
    deploymentGroupName: text("deploymentGroupName"),
    clusterName: text("clusterName"),
    serviceName: text("serviceName"),
    taskDefinitionArn,
    containerName: text("containerName"),
    containerPort,
    timeoutMs: positiveNumber("timeoutMinutes", DEFAULT_TIMEOUT_MINUTES) * 60_000,
  };
  const network = networkFromEnv(env, problems);
  if (network) request.network = network;
  const region = text("region");

  if (problems.length > 0) {
    throw new RolloutConfigError(`Invalid rollout settings: ${[...new Set(problems)].join("; ")}`);
  }
  return { region, request };
}
