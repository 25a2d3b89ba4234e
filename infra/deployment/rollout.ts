import { setTimeout as delay } from "node:timers/promises";
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  DeploymentAlreadyCompletedException,
  DeploymentLimitExceededException,
  DeploymentStatus,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
} from "@aws-sdk/client-codedeploy";
import { DescribeServicesCommand, ECSClient, type NetworkConfiguration } from "@aws-sdk/client-ecs";
import { appSpecRevision, buildEcsAppSpec, type TaskNetwork } from "./appspec";
import {
  RolloutBlockedError,
  RolloutFailedError,
  RolloutTimeoutError,
  type FailedLifecycleEvent,
} from "./errors";

export interface RolloutRequest {
  applicationName: string;
  deploymentGroupName: string;
  clusterName: string;
  serviceName: string;
  taskDefinitionArn: string;
  containerName: string;
  containerPort: number;
  platformVersion?: string;
  /**
   * Subnets and security groups for the tasks. A service under CODE_DEPLOY cannot change them in
   * place, so a difference from what runs now is deployed like a new task definition.
   */
  network?: TaskNetwork;
  description?: string;
  /** Budget for our own deployment, and separately for waiting on one already in progress. */
  timeoutMs: number;
}

export interface RolloutClients {
  codeDeploy: CodeDeployClient;
  ecs: ECSClient;
}

export interface RolloutRuntime {
  sleep(ms: number): Promise<void>;
  now(): number;
  log(message: string): void;
}

export interface PollSettings {
  initialIntervalMs: number;
  maxIntervalMs: number;
  backoffFactor: number;
  /** GetDeployment errors in a row (after the SDK's own retries) before giving up. */
  maxConsecutiveErrors: number;
  /** CreateDeployment attempts when another deployment of the group holds the slot. */
  maxStartAttempts: number;
}

export type RolloutResult =
  | { outcome: "skipped"; taskDefinitionArn: string; reason: string }
  | { outcome: "succeeded"; taskDefinitionArn: string; deploymentId: string };

export const DEFAULT_POLL_SETTINGS: PollSettings = {
  initialIntervalMs: 5_000,
  maxIntervalMs: 30_000,
  backoffFactor: 1.5,
  maxConsecutiveErrors: 5,
  maxStartAttempts: 3,
};

export const systemRuntime: RolloutRuntime = {
  sleep: (ms) => delay(ms),
  now: () => Date.now(),
  log: (message) => console.log(`[rollout ${new Date().toISOString()}] ${message}`),
};

const TERMINAL_STATUSES: ReadonlySet<string> = new Set([
  DeploymentStatus.SUCCEEDED,
  DeploymentStatus.FAILED,
  DeploymentStatus.STOPPED,
]);

const ACTIVE_STATUSES = [
  DeploymentStatus.CREATED,
  DeploymentStatus.QUEUED,
  DeploymentStatus.IN_PROGRESS,
  DeploymentStatus.BAKING,
  DeploymentStatus.READY,
];

/** "arn:aws:ecs:eu-west-1:123456789012:task-definition/picus:7" and "picus:7" → "picus:7". */
export function taskDefinitionKey(taskDefinition: string): string {
  const marker = ":task-definition/";
  const index = taskDefinition.indexOf(marker);
  return index === -1 ? taskDefinition : taskDefinition.slice(index + marker.length);
}

/** What the service's primary task set runs now. */
interface Running {
  taskDefinition: string | undefined;
  network: TaskNetwork | undefined;
}

function taskNetwork(configuration: NetworkConfiguration | undefined): TaskNetwork | undefined {
  const awsvpc = configuration?.awsvpcConfiguration;
  if (awsvpc === undefined) return undefined;
  return {
    subnets: awsvpc.subnets ?? [],
    securityGroups: awsvpc.securityGroups ?? [],
    assignPublicIp: awsvpc.assignPublicIp === "ENABLED",
  };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const [left, right] = [[...a].sort(), [...b].sort()];
  return left.length === right.length && left.every((value, i) => value === right[i]);
}

/** How the requested network differs from the running one, or undefined when it does not. */
export function networkChange(
  requested: TaskNetwork | undefined,
  running: TaskNetwork | undefined,
): string | undefined {
  if (requested === undefined) return undefined;
  if (running === undefined) return "network configuration not known";
  const changes: string[] = [];
  if (!sameMembers(requested.subnets, running.subnets)) {
    changes.push(`subnets ${running.subnets.join(",")} → ${requested.subnets.join(",")}`);
  }
  if (!sameMembers(requested.securityGroups, running.securityGroups)) {
    changes.push(
      `security groups ${running.securityGroups.join(",")} → ${requested.securityGroups.join(",")}`,
    );
  }
  if (requested.assignPublicIp !== running.assignPublicIp) {
    changes.push(`public IP ${running.assignPublicIp} → ${requested.assignPublicIp}`);
  }
  return changes.length === 0 ? undefined : changes.join("; ");
}

/**
 * Rolls the ECS service out to `request.taskDefinitionArn` (and `request.network`) through
 * CodeDeploy blue/green and resolves once CodeDeploy reports Succeeded. Skips when the service
 * already runs that task definition in that network. Waits for a deployment already in progress in the group rather than failing:
 * ECS allows one at a time, and the usual cause is an earlier, interrupted `pulumi up`.
 */
export async function rolloutEcsService(
  request: RolloutRequest,
  clients: RolloutClients,
  runtime: RolloutRuntime = systemRuntime,
  poll: PollSettings = DEFAULT_POLL_SETTINGS,
): Promise<RolloutResult> {
  return new EcsRollout(request, clients, runtime, poll).run();
}

class EcsRollout {
  private readonly target: string;

  constructor(
    private readonly request: RolloutRequest,
    private readonly clients: RolloutClients,
    private readonly runtime: RolloutRuntime,
    private readonly poll: PollSettings,
  ) {
    this.target = taskDefinitionKey(request.taskDefinitionArn);
  }

  async run(): Promise<RolloutResult> {
    for (let attempt = 1; ; attempt++) {
      await this.waitForActiveDeployments();

      const running = await this.running();
      const current = running.taskDefinition;
      const network = networkChange(this.request.network, running.network);
      if (current !== undefined && taskDefinitionKey(current) === this.target && !network) {
        const reason = `service ${this.request.serviceName} already runs ${this.target}`;
        this.runtime.log(`Nothing to deploy: ${reason}.`);
        return { outcome: "skipped", taskDefinitionArn: this.request.taskDefinitionArn, reason };
      }
      if (network) this.runtime.log(`The tasks' network changes: ${network}.`);

      let deploymentId: string;
      try {
        deploymentId = await this.startDeployment(current);
      } catch (error) {
        if (!(error instanceof DeploymentLimitExceededException)) throw error;
        if (attempt >= this.poll.maxStartAttempts) {
          throw new RolloutBlockedError(
            `CodeDeploy refused to start a deployment of ${this.target} after ${attempt} attempts ` +
              `because another deployment of ${this.request.deploymentGroupName} is active: ${error.message}`,
          );
        }
        this.runtime.log(
          `Another deployment is active (${error.message}); waiting, then retrying.`,
        );
        await this.runtime.sleep(this.poll.initialIntervalMs);
        continue;
      }
      return this.follow(deploymentId);
    }
  }

  private async waitForActiveDeployments(): Promise<void> {
    const { applicationName, deploymentGroupName, timeoutMs } = this.request;
    const listed = await this.clients.codeDeploy.send(
      new ListDeploymentsCommand({
        applicationName,
        deploymentGroupName,
        includeOnlyStatuses: ACTIVE_STATUSES,
      }),
    );
    for (const deploymentId of listed.deployments ?? []) {
      this.runtime.log(
        `Deployment ${deploymentId} is already in progress in ${deploymentGroupName}; waiting for it to finish.`,
      );
      const waited = await this.waitForTerminal(deploymentId, this.runtime.now() + timeoutMs);
      if (waited.timedOut) {
        throw new RolloutBlockedError(
          `Deployment ${deploymentId} of ${deploymentGroupName} was still ${waited.info?.status ?? "active"} ` +
            `after ${minutes(timeoutMs)} minutes, so ${this.target} was not deployed. ` +
            `Let it finish or stop it in CodeDeploy, then run the update again.`,
        );
      }
      this.runtime.log(`Deployment ${deploymentId} finished ${waited.info?.status}.`);
    }
  }

  private async running(): Promise<Running> {
    const { clusterName, serviceName } = this.request;
    const described = await this.clients.ecs.send(
      new DescribeServicesCommand({ cluster: clusterName, services: [serviceName] }),
    );
    const service = described.services?.[0];
    if (!service || service.status !== "ACTIVE") {
      const reason = described.failures?.[0]?.reason ?? service?.status ?? "not found";
      throw new Error(
        `ECS service ${serviceName} in cluster ${clusterName} is not active (${reason}); ` +
          `it must exist before a CodeDeploy rollout.`,
      );
    }
    const controller = service.deploymentController?.type ?? "ECS";
    if (controller !== "CODE_DEPLOY") {
      throw new Error(
        `ECS service ${serviceName} uses the ${controller} deployment controller; ` +
          `a CodeDeploy blue/green rollout needs CODE_DEPLOY.`,
      );
    }
    const primary = service.taskSets?.find((taskSet) => taskSet.status === "PRIMARY");
    return {
      taskDefinition: primary?.taskDefinition ?? service.taskDefinition,
      network: taskNetwork(primary?.networkConfiguration ?? service.networkConfiguration),
    };
  }

  private async startDeployment(current: string | undefined): Promise<string> {
    const { applicationName, deploymentGroupName } = this.request;
    const appSpec = buildEcsAppSpec(this.request);
    const description = (this.request.description ?? `Rollout of ${this.target} from Pulumi`).slice(
      0,
      100,
    );
    const created = await this.clients.codeDeploy.send(
      new CreateDeploymentCommand({
        applicationName,
        deploymentGroupName,
        description,
        revision: appSpecRevision(appSpec),
      }),
    );
    if (!created.deploymentId)
      throw new Error("CodeDeploy CreateDeployment returned no deploymentId");
    const from = current ? taskDefinitionKey(current) : "an unknown task definition";
    this.runtime.log(
      `Started CodeDeploy deployment ${created.deploymentId}: ${from} → ${this.target} ` +
        `(${applicationName}/${deploymentGroupName}).`,
    );
    return created.deploymentId;
  }

  private async follow(deploymentId: string): Promise<RolloutResult> {
    const { timeoutMs, taskDefinitionArn } = this.request;
    const waited = await this.waitForTerminal(deploymentId, this.runtime.now() + timeoutMs);
    const info = waited.timedOut
      ? await this.stopAfterTimeout(deploymentId, waited.info)
      : waited.info;

    if (info?.status === DeploymentStatus.SUCCEEDED) {
      this.runtime.log(`Deployment ${deploymentId} succeeded: ${this.target} serves production.`);
      return { outcome: "succeeded", taskDefinitionArn, deploymentId };
    }
    throw new RolloutFailedError({
      deploymentId,
      taskDefinitionArn,
      status: info?.status === DeploymentStatus.STOPPED ? "Stopped" : "Failed",
      errorCode: info?.errorInformation?.code,
      errorMessage: info?.errorInformation?.message,
      rollbackDeploymentId: info?.rollbackInfo?.rollbackDeploymentId,
      rollbackMessage: info?.rollbackInfo?.rollbackMessage,
      failedLifecycleEvent: await this.failedLifecycleEvent(deploymentId),
    });
  }

  /** Stops a deployment that outran its budget, with rollback, so a failed update changes nothing. */
  private async stopAfterTimeout(
    deploymentId: string,
    last: DeploymentInfo | undefined,
  ): Promise<DeploymentInfo | undefined> {
    const lastStatus = last?.status ?? "unknown";
    const budget = `did not finish within ${minutes(this.request.timeoutMs)} minutes (last status ${lastStatus})`;
    let outcome: string;
    try {
      const stopped = await this.clients.codeDeploy.send(
        new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }),
      );
      outcome = `stop requested with automatic rollback: ${stopped.status ?? "?"} ${stopped.statusMessage ?? ""}`;
    } catch (error) {
      if (error instanceof DeploymentAlreadyCompletedException) {
        const latest = await this.getDeployment(deploymentId);
        if (latest && TERMINAL_STATUSES.has(latest.status ?? "")) return latest;
      }
      outcome = `it could not be stopped (${errorMessage(error)}); it may still complete in CodeDeploy`;
    }
    throw new RolloutTimeoutError(
      deploymentId,
      lastStatus,
      `CodeDeploy deployment ${deploymentId} of ${this.target} ${budget}; ${outcome.trim()}. ` +
        `Raise timeoutMinutes if the deployment config's canary and termination wait need longer.`,
    );
  }

  private async waitForTerminal(
    deploymentId: string,
    deadline: number,
  ): Promise<{ info: DeploymentInfo | undefined; timedOut: boolean }> {
    let interval = this.poll.initialIntervalMs;
    let consecutiveErrors = 0;
    let last: DeploymentInfo | undefined;
    for (;;) {
      try {
        const info = await this.getDeployment(deploymentId);
        consecutiveErrors = 0;
        if (info?.status !== last?.status) {
          this.runtime.log(`Deployment ${deploymentId}: ${info?.status ?? "no status"}`);
        }
        last = info;
        if (TERMINAL_STATUSES.has(info?.status ?? "")) return { info, timedOut: false };
      } catch (error) {
        consecutiveErrors += 1;
        if (consecutiveErrors >= this.poll.maxConsecutiveErrors) throw error;
        this.runtime.log(
          `GetDeployment ${deploymentId} failed (${errorMessage(error)}); retrying.`,
        );
      }
      const remaining = deadline - this.runtime.now();
      if (remaining <= 0) return { info: last, timedOut: true };
      await this.runtime.sleep(Math.min(interval, remaining));
      interval = Math.min(interval * this.poll.backoffFactor, this.poll.maxIntervalMs);
    }
  }

  private async getDeployment(deploymentId: string): Promise<DeploymentInfo | undefined> {
    const got = await this.clients.codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
    return got.deploymentInfo;
  }

  /** Best effort: the reason is already in errorInformation, so lookup errors are only logged. */
  private async failedLifecycleEvent(
    deploymentId: string,
  ): Promise<FailedLifecycleEvent | undefined> {
    try {
      const listed = await this.clients.codeDeploy.send(
        new ListDeploymentTargetsCommand({ deploymentId }),
      );
      for (const targetId of listed.targetIds ?? []) {
        const got = await this.clients.codeDeploy.send(
          new GetDeploymentTargetCommand({ deploymentId, targetId }),
        );
        const event = got.deploymentTarget?.ecsTarget?.lifecycleEvents?.find(
          (candidate) => candidate.status === "Failed",
        );
        if (event) {
          return {
            targetId,
            lifecycleEventName: event.lifecycleEventName ?? "unknown",
            errorCode: event.diagnostics?.errorCode,
            message: event.diagnostics?.message,
          };
        }
      }
    } catch (error) {
      this.runtime.log(`Could not read the deployment's lifecycle events: ${errorMessage(error)}`);
    }
    return undefined;
  }
}

function minutes(ms: number): number {
  return Math.round((ms / 60_000) * 10) / 10;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
