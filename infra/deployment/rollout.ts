import { createHash } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  DeploymentStatus,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  waitUntilDeploymentSuccessful,
} from "@aws-sdk/client-codedeploy";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient, type Service } from "@aws-sdk/client-ecs";
import type { RolloutRequest } from "./request";

export interface RolloutClients {
  codeDeploy: CodeDeployClient;
  ecs: ECSClient;
  cloudWatch: CloudWatchClient;
}

/** How long a deployment waits for its rollback alarms to leave ALARM before it starts. */
const ALARM_CLEAR_MINUTES = 10;

/** Polling pace (the SDK waiter's delays, in seconds) and where progress goes. */
export type Pacing = typeof DEFAULT_PACING;
const DEFAULT_PACING = {
  minDelaySeconds: 15,
  maxDelaySeconds: 30,
  log: (message: string) => console.log(`[rollout ${new Date().toISOString()}] ${message}`),
};

const FINISHED: DeploymentStatus[] = ["Succeeded", "Failed", "Stopped"];

/** "arn:aws:ecs:…:task-definition/picus-dev-api:7" → "picus-dev-api:7". */
export const revision = (arn: string): string => arn.replace(/^.*:task-definition\//, "");
/** How our deployments are described, so a later run can tell which revision each one carried. */
export const deploymentDescription = (arn: string): string => `picus rollout of ${revision(arn)}`;

/**
 * Brings the service to the declared revision and network through CodeDeploy (unless that revision
 * failed last time), then waits until its primary task set is steady with healthy targets.
 */
export async function rollout(
  request: RolloutRequest,
  clients: RolloutClients,
  pacing: Pacing = DEFAULT_PACING,
): Promise<void> {
  const target = revision(request.taskDefinitionArn);
  const service = await describeService(request, clients.ecs);
  const primary = service.taskSets?.find((taskSet) => taskSet.status === "PRIMARY");
  const running = primary?.taskDefinition ?? service.taskDefinition ?? "nothing";
  const network = (primary ?? service).networkConfiguration?.awsvpcConfiguration;
  const wanted = request.network;
  const sameNetwork =
    sameSet(network?.subnets, wanted.subnets) &&
    sameSet(network?.securityGroups, wanted.securityGroups) &&
    (network?.assignPublicIp === "ENABLED") === wanted.assignPublicIp;
  const changes: string[] = [];
  if (revision(running) !== target) changes.push(`the service runs ${revision(running)}`);
  if (!sameNetwork) changes.push("the tasks' network differs");

  if (changes.length === 0) {
    pacing.log(`The service already runs ${target} in the declared network.`);
  } else {
    pacing.log(`Deploying ${target}: ${changes.join(", ")}.`);
    await refuseKnownBad(request, clients.codeDeploy);
    const live = primary?.loadBalancers?.[0]?.targetGroupArn;
    await deploy(request, clients, live, pacing);
  }
  await waitForSteadyState(request, clients.ecs, pacing);
}

const sameSet = (a: string[] | undefined, b: string[]) =>
  a !== undefined && a.length === b.length && b.every((item) => a.includes(item));

async function describeService(request: RolloutRequest, ecs: ECSClient): Promise<Service> {
  const { clusterName: cluster, serviceName } = request;
  const { services, failures } = await ecs.send(
    new DescribeServicesCommand({ cluster, services: [serviceName] }),
  );
  const service = services?.[0];
  if (service?.status !== "ACTIVE" || service.deploymentController?.type !== "CODE_DEPLOY") {
    const state = failures?.[0]?.reason ?? service?.status ?? "missing";
    throw new Error(`ECS service ${serviceName} is not an active CODE_DEPLOY service (${state}).`);
  }
  return service;
}

/** The newest deployment we started (not a rollback) failed with this very revision: stop here. */
async function refuseKnownBad(request: RolloutRequest, codeDeploy: CodeDeployClient) {
  if (request.retryFailedRevision) return;
  const { applicationName, deploymentGroupName } = request;
  // ListDeployments has no documented order: read every page of the last 30 days.
  const start = new Date(Date.now() - 30 * 24 * 3600_000);
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await codeDeploy.send(
      new ListDeploymentsCommand({
        applicationName,
        deploymentGroupName,
        includeOnlyStatuses: FINISHED,
        createTimeRange: { start },
        nextToken,
      }),
    );
    ids.push(...(page.deployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const deploymentsInfo = [];
  for (let index = 0; index < ids.length; index += 25) {
    const batch = new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(index, index + 25) });
    deploymentsInfo.push(...((await codeDeploy.send(batch)).deploymentsInfo ?? []));
  }
  const [last] = deploymentsInfo
    .filter((info) => info.creator === "user")
    .sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0));
  if (
    last?.description !== deploymentDescription(request.taskDefinitionArn) ||
    last.status === "Succeeded"
  ) {
    return;
  }
  const reason = `[${last.errorInformation?.code ?? "UNKNOWN"}] ${last.errorInformation?.message ?? ""}`;
  throw new Error(
    `${revision(request.taskDefinitionArn)} already failed in deployment ${last.deploymentId} ` +
      `(${last.status} ${reason.trim()}), so it is not deployed again; the service keeps its ` +
      `current revision. Deploy a fix, or retry this revision once with ` +
      `\`pulumi up -c picus:retryFailedRevision=true\`.`,
  );
}

/**
 * CodeDeploy stops a deployment at once when one of its rollback alarms is already in ALARM (say,
 * still from the deployment that failed): wait, bounded, until none is, so the fix gets a fair run.
 */
async function waitForAlarmsToClear(
  alarms: string[],
  cloudWatch: CloudWatchClient,
  pacing: Pacing,
) {
  if (alarms.length === 0) return;
  const deadline = Date.now() + ALARM_CLEAR_MINUTES * 60_000;
  for (;;) {
    const { MetricAlarms = [] } = await cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNames: alarms, StateValue: "ALARM" }),
    );
    const firing = MetricAlarms.map((alarm) => alarm.AlarmName);
    if (firing.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `Rollback alarms still in ALARM after ${ALARM_CLEAR_MINUTES} minutes: ${firing.join(", ")}; ` +
          "CodeDeploy would stop the deployment at once. Run pulumi up again once they clear.",
      );
    }
    pacing.log(`Waiting for rollback alarms to leave ALARM: ${firing.join(", ")}.`);
    await delay(pacing.minDelaySeconds * 1000);
  }
}

async function deploy(
  request: RolloutRequest,
  { codeDeploy, cloudWatch }: RolloutClients,
  liveTargetGroupArn: string | undefined,
  pacing: Pacing,
): Promise<void> {
  const target = revision(request.taskDefinitionArn);
  const { network } = request;
  const properties = {
    TaskDefinition: request.taskDefinitionArn,
    LoadBalancerInfo: {
      ContainerName: request.containerName,
      ContainerPort: request.containerPort,
    },
    NetworkConfiguration: {
      AwsvpcConfiguration: {
        Subnets: network.subnets,
        SecurityGroups: network.securityGroups,
        AssignPublicIp: network.assignPublicIp ? "ENABLED" : "DISABLED",
      },
    },
  };
  const content = JSON.stringify({
    version: "0.0",
    Resources: [{ TargetService: { Type: "AWS::ECS::Service", Properties: properties } }],
  });
  // Only the alarms of the target group the new tasks join and of their task definition judge
  // them: an alarm about the version serving now (the reason for a fix) must not stop the fix.
  // Unknown live group: all alarms.
  const alarms = [
    ...new Set(
      Object.entries(request.rollbackAlarms)
        .filter(([targetGroupArn]) => targetGroupArn !== liveTargetGroupArn)
        .flatMap(([, names]) => names),
    ),
  ];
  await waitForAlarmsToClear(alarms, cloudWatch, pacing);
  const { deploymentId } = await codeDeploy.send(
    new CreateDeploymentCommand({
      applicationName: request.applicationName,
      deploymentGroupName: request.deploymentGroupName,
      description: deploymentDescription(request.taskDefinitionArn),
      revision: {
        revisionType: "AppSpecContent",
        appSpecContent: { content, sha256: createHash("sha256").update(content).digest("hex") },
      },
      overrideAlarmConfiguration: {
        enabled: alarms.length > 0,
        alarms: alarms.map((name) => ({ name })),
      },
    }),
  );
  if (deploymentId === undefined) throw new Error("CodeDeploy returned no deployment ID.");
  pacing.log(
    `Started deployment ${deploymentId} of ${target}; rollback alarms: ${alarms.join(", ")}.`,
  );

  const waiter = { minDelay: pacing.minDelaySeconds, maxDelay: pacing.maxDelaySeconds };
  const maxWaitTime = request.timeoutMinutes * 60;
  await waitUntilDeploymentSuccessful(
    { client: codeDeploy, maxWaitTime, ...waiter },
    { deploymentId },
  ).catch(() => undefined);
  const info =
    (await codeDeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo ?? {};
  if (info.status === "Succeeded") {
    pacing.log(`Deployment ${deploymentId} succeeded: ${target} serves production.`);
    return;
  }
  if (!FINISHED.includes(info.status ?? "Created")) {
    await codeDeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
    // Until it has stopped, CodeDeploy refuses the next deployment: the next up would fail too.
    for (let polls = 0; polls < 60; polls++) {
      const stopping = await codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
      if (FINISHED.includes(stopping.deploymentInfo?.status ?? "Created")) break;
      await delay(pacing.minDelaySeconds * 1000);
    }
    throw new Error(
      `Deployment ${deploymentId} of ${target} did not finish within ${request.timeoutMinutes} ` +
        `minutes (last status ${info.status ?? "unknown"}); it was stopped with rollback.`,
    );
  }
  const error = info.errorInformation;
  const rollback = info.rollbackInfo;
  throw new Error(
    `Deployment ${deploymentId} of ${target} ended ${info.status}: [${error?.code ?? "UNKNOWN"}] ` +
      `${error?.message ?? "no message"}` +
      (rollback
        ? `\nRolled back: ${rollback.rollbackMessage ?? rollback.rollbackDeploymentId}`
        : ""),
  );
}

/** Steady means all tasks of the primary task set run and pass the target group's health checks. */
async function waitForSteadyState(request: RolloutRequest, ecs: ECSClient, pacing: Pacing) {
  const deadline = Date.now() + request.steadyTimeoutMinutes * 60_000;
  for (;;) {
    const service = await describeService(request, ecs);
    const primary = service.taskSets?.find((taskSet) => taskSet.status === "PRIMARY");
    const running = primary?.runningCount ?? 0;
    const desired = primary?.computedDesiredCount ?? 0;
    if (primary?.stabilityStatus === "STEADY_STATE" && running > 0 && running === desired) {
      pacing.log(
        `Steady: ${running} healthy task(s) of ${revision(primary.taskDefinition ?? "")}.`,
      );
      return;
    }
    if (Date.now() >= deadline) {
      const events = (service.events ?? []).slice(0, 3).map((event) => `  ${event.message}`);
      throw new Error(
        `Service ${request.serviceName} was not steady with healthy targets after ` +
          `${request.steadyTimeoutMinutes} minutes (${running}/${desired} tasks running, ` +
          `${primary?.stabilityStatus ?? "no primary task set"}). Latest service events:\n` +
          events.join("\n"),
      );
    }
    await delay(pacing.minDelaySeconds * 1000);
  }
}
