import {
  CodeDeployClient,
  CreateDeploymentCommand,
  DeploymentAlreadyCompletedException,
  DeploymentLimitExceededException,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
} from "@aws-sdk/client-codedeploy";
import { DescribeServicesCommand, ECSClient, type Service } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { appSpecRevision, buildEcsAppSpec } from "./appspec";
import { RolloutBlockedError, RolloutFailedError, RolloutTimeoutError } from "./errors";
import {
  DEFAULT_POLL_SETTINGS,
  networkChange,
  rolloutEcsService,
  taskDefinitionKey,
  type RolloutRequest,
  type RolloutRuntime,
} from "./rollout";

const ARN_PREFIX = "arn:aws:ecs:eu-west-1:123456789012:task-definition/";
const CURRENT = `${ARN_PREFIX}picus-dev:6`;
const TARGET = `${ARN_PREFIX}picus-dev:7`;

const request: RolloutRequest = {
  applicationName: "picus-dev",
  deploymentGroupName: "picus-dev-api",
  clusterName: "picus-dev",
  serviceName: "picus-dev-api",
  taskDefinitionArn: TARGET,
  containerName: "api",
  containerPort: 3000,
  timeoutMs: 10 * 60_000,
};

const codeDeploy = mockClient(CodeDeployClient);
const ecs = mockClient(ECSClient);
const clients = {
  codeDeploy: new CodeDeployClient({ region: "eu-west-1" }),
  ecs: new ECSClient({ region: "eu-west-1" }),
};

function fakeRuntime() {
  let clock = 0;
  const sleeps: number[] = [];
  const logs: string[] = [];
  const runtime: RolloutRuntime = {
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    log: (message) => logs.push(message),
  };
  return { runtime, sleeps, logs, elapsed: () => clock };
}

function codeDeployService(
  primaryTaskDefinition: string,
  overrides: Partial<Service> = {},
): Service {
  return {
    serviceName: request.serviceName,
    status: "ACTIVE",
    deploymentController: { type: "CODE_DEPLOY" },
    taskDefinition: `${ARN_PREFIX}picus-dev:1`,
    taskSets: [{ status: "PRIMARY", taskDefinition: primaryTaskDefinition }],
    ...overrides,
  };
}

function deployment(status: DeploymentInfo["status"], extra: Partial<DeploymentInfo> = {}) {
  return { deploymentInfo: { deploymentId: "d-NEW", status, ...extra } };
}

function limitExceeded() {
  return new DeploymentLimitExceededException({
    message: "The Deployment Group 'picus-dev-api' already has an active Deployment 'd-OLD'",
    $metadata: {},
  });
}

beforeEach(() => {
  codeDeploy.reset();
  ecs.reset();
  codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
  ecs.on(DescribeServicesCommand).resolves({ services: [codeDeployService(CURRENT)] });
  codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-NEW" });
});

describe("rolloutEcsService", () => {
  it("deploys the new task definition with an ECS AppSpec and waits for success", async () => {
    codeDeploy
      .on(GetDeploymentCommand, { deploymentId: "d-NEW" })
      .resolvesOnce(deployment("Created"))
      .resolvesOnce(deployment("InProgress"))
      .resolvesOnce(deployment("InProgress"))
      .resolves(deployment("Succeeded"));
    const { runtime, sleeps } = fakeRuntime();

    const result = await rolloutEcsService(request, clients, runtime);

    expect(result).toEqual({
      outcome: "succeeded",
      taskDefinitionArn: TARGET,
      deploymentId: "d-NEW",
    });
    const appSpec = buildEcsAppSpec({
      taskDefinitionArn: TARGET,
      containerName: "api",
      containerPort: 3000,
    });
    expect(codeDeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1);
    expect(codeDeploy).toHaveReceivedCommandWith(CreateDeploymentCommand, {
      applicationName: "picus-dev",
      deploymentGroupName: "picus-dev-api",
      description: "Rollout of picus-dev:7 from Pulumi",
      revision: appSpecRevision(appSpec),
    });
    expect(codeDeploy).toHaveReceivedCommandWith(ListDeploymentsCommand, {
      applicationName: "picus-dev",
      deploymentGroupName: "picus-dev-api",
      includeOnlyStatuses: expect.arrayContaining(["Created", "Queued", "InProgress", "Ready"]),
    });
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: "picus-dev",
      services: ["picus-dev-api"],
    });
    expect(sleeps).toEqual([5_000, 7_500, 11_250]);
  });

  it("backs off up to the maximum poll interval", async () => {
    const pending = codeDeploy.on(GetDeploymentCommand);
    for (let i = 0; i < 8; i++) pending.resolvesOnce(deployment("InProgress"));
    pending.resolves(deployment("Succeeded"));
    const { runtime, sleeps } = fakeRuntime();

    await rolloutEcsService(request, clients, runtime);

    expect(Math.max(...sleeps)).toBe(DEFAULT_POLL_SETTINGS.maxIntervalMs);
    expect(sleeps.slice(-3)).toEqual([30_000, 30_000, 30_000]);
  });

  it("fails with CodeDeploy's reason, the rollback and the failing lifecycle event", async () => {
    codeDeploy.on(GetDeploymentCommand).resolves(
      deployment("Failed", {
        errorInformation: {
          code: "HEALTH_CONSTRAINTS",
          message: "The deployment failed because the replacement task set did not become healthy.",
        },
        rollbackInfo: {
          rollbackDeploymentId: "d-ROLLBACK",
          rollbackMessage: "Automatic rollback triggered by deployment failure.",
        },
      }),
    );
    codeDeploy
      .on(ListDeploymentTargetsCommand)
      .resolves({ targetIds: ["picus-dev:picus-dev-api"] });
    codeDeploy.on(GetDeploymentTargetCommand).resolves({
      deploymentTarget: {
        deploymentTargetType: "ECSTarget",
        ecsTarget: {
          lifecycleEvents: [
            { lifecycleEventName: "Install", status: "Succeeded" },
            {
              lifecycleEventName: "AfterAllowTestTraffic",
              status: "Failed",
              diagnostics: { errorCode: "ScriptFailed", message: "Health check failed: 503" },
            },
          ],
        },
      },
    });
    const { runtime } = fakeRuntime();

    const failure = await rolloutEcsService(request, clients, runtime).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RolloutFailedError);
    expect((failure as RolloutFailedError).failure).toEqual({
      deploymentId: "d-NEW",
      taskDefinitionArn: TARGET,
      status: "Failed",
      errorCode: "HEALTH_CONSTRAINTS",
      errorMessage:
        "The deployment failed because the replacement task set did not become healthy.",
      rollbackDeploymentId: "d-ROLLBACK",
      rollbackMessage: "Automatic rollback triggered by deployment failure.",
      failedLifecycleEvent: {
        targetId: "picus-dev:picus-dev-api",
        lifecycleEventName: "AfterAllowTestTraffic",
        errorCode: "ScriptFailed",
        message: "Health check failed: 503",
      },
    });
    const message = (failure as Error).message;
    expect(message).toContain("d-NEW");
    expect(message).toContain("[HEALTH_CONSTRAINTS] The deployment failed");
    expect(message).toContain("AfterAllowTestTraffic");
    expect(message).toContain("Rolled back by deployment d-ROLLBACK");
    expect(codeDeploy).toHaveReceivedCommandWith(GetDeploymentTargetCommand, {
      deploymentId: "d-NEW",
      targetId: "picus-dev:picus-dev-api",
    });
  });

  it("reports a stopped deployment even when its lifecycle events cannot be read", async () => {
    codeDeploy.on(GetDeploymentCommand).resolves(
      deployment("Stopped", {
        errorInformation: { code: "ALARM_ACTIVE", message: "Alarm picus-dev-5xx is in ALARM" },
        rollbackInfo: { rollbackMessage: "Deployment stopped by alarm; traffic rerouted to blue." },
      }),
    );
    codeDeploy.on(ListDeploymentTargetsCommand).rejects(new Error("AccessDenied"));
    const { runtime, logs } = fakeRuntime();

    const failure = await rolloutEcsService(request, clients, runtime).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RolloutFailedError);
    expect((failure as RolloutFailedError).failure).toMatchObject({
      status: "Stopped",
      errorCode: "ALARM_ACTIVE",
      rollbackMessage: "Deployment stopped by alarm; traffic rerouted to blue.",
      failedLifecycleEvent: undefined,
    });
    expect((failure as Error).message).toMatch(
      /ended Stopped: \[ALARM_ACTIVE\] Alarm picus-dev-5xx/,
    );
    expect(logs.join("\n")).toContain("AccessDenied");
  });

  it("stops a deployment that outruns the timeout, with rollback, and fails", async () => {
    codeDeploy.on(GetDeploymentCommand).resolves(deployment("InProgress"));
    codeDeploy.on(StopDeploymentCommand).resolves({ status: "Pending", statusMessage: "Stopping" });
    const { runtime, elapsed } = fakeRuntime();

    const failure = await rolloutEcsService(
      { ...request, timeoutMs: 120_000 },
      clients,
      runtime,
    ).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RolloutTimeoutError);
    expect((failure as RolloutTimeoutError).lastStatus).toBe("InProgress");
    expect((failure as Error).message).toMatch(/did not finish within 2 minutes/);
    expect((failure as Error).message).toMatch(/automatic rollback/);
    expect(codeDeploy).toHaveReceivedCommandWith(StopDeploymentCommand, {
      deploymentId: "d-NEW",
      autoRollbackEnabled: true,
    });
    expect(elapsed()).toBe(120_000);
  });

  it("accepts a deployment that completed just as the timeout stopped it", async () => {
    codeDeploy
      .on(GetDeploymentCommand)
      .resolvesOnce(deployment("InProgress"))
      .resolvesOnce(deployment("InProgress"))
      .resolvesOnce(deployment("InProgress"))
      .resolves(deployment("Succeeded"));
    codeDeploy
      .on(StopDeploymentCommand)
      .rejects(new DeploymentAlreadyCompletedException({ message: "completed", $metadata: {} }));
    const { runtime } = fakeRuntime();

    const result = await rolloutEcsService({ ...request, timeoutMs: 6_000 }, clients, runtime);

    expect(result).toMatchObject({ outcome: "succeeded", deploymentId: "d-NEW" });
    expect(codeDeploy).toHaveReceivedCommandTimes(StopDeploymentCommand, 1);
  });

  it("waits for a deployment already in progress, then deploys", async () => {
    codeDeploy.on(ListDeploymentsCommand).resolvesOnce({ deployments: ["d-OLD"] });
    codeDeploy
      .on(GetDeploymentCommand, { deploymentId: "d-OLD" })
      .resolvesOnce({ deploymentInfo: { deploymentId: "d-OLD", status: "InProgress" } })
      .resolves({ deploymentInfo: { deploymentId: "d-OLD", status: "Succeeded" } });
    codeDeploy
      .on(GetDeploymentCommand, { deploymentId: "d-NEW" })
      .resolves(deployment("Succeeded"));
    const { runtime, logs } = fakeRuntime();

    const result = await rolloutEcsService(request, clients, runtime);

    expect(result).toMatchObject({ outcome: "succeeded", deploymentId: "d-NEW" });
    expect(logs.join("\n")).toContain("d-OLD is already in progress");
    const calls = codeDeploy.calls().map((call) => call.args[0].constructor.name);
    expect(calls.indexOf("CreateDeploymentCommand")).toBeGreaterThan(
      calls.lastIndexOf("GetDeploymentCommand", calls.indexOf("CreateDeploymentCommand")),
    );
  });

  it("skips when the deployment it waited for already rolled out the target", async () => {
    codeDeploy.on(ListDeploymentsCommand).resolvesOnce({ deployments: ["d-OLD"] });
    codeDeploy
      .on(GetDeploymentCommand, { deploymentId: "d-OLD" })
      .resolves({ deploymentInfo: { deploymentId: "d-OLD", status: "Succeeded" } });
    ecs.on(DescribeServicesCommand).resolves({ services: [codeDeployService(TARGET)] });
    const { runtime } = fakeRuntime();

    const result = await rolloutEcsService(request, clients, runtime);

    expect(result.outcome).toBe("skipped");
    expect(codeDeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
  });

  it("gives up, without stopping it, on a deployment in progress that outlasts the timeout", async () => {
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ["d-OLD"] });
    codeDeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: "d-OLD", status: "Ready" } });
    const { runtime } = fakeRuntime();

    const failure = await rolloutEcsService(
      { ...request, timeoutMs: 60_000 },
      clients,
      runtime,
    ).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RolloutBlockedError);
    expect((failure as Error).message).toMatch(/d-OLD .* was still Ready after 1 minutes/);
    expect(codeDeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
    expect(codeDeploy).not.toHaveReceivedCommand(StopDeploymentCommand);
  });

  it("retries when CodeDeploy reports the group's deployment slot taken", async () => {
    codeDeploy
      .on(CreateDeploymentCommand)
      .rejectsOnce(limitExceeded())
      .resolves({ deploymentId: "d-NEW" });
    codeDeploy.on(GetDeploymentCommand).resolves(deployment("Succeeded"));
    const { runtime } = fakeRuntime();

    const result = await rolloutEcsService(request, clients, runtime);

    expect(result).toMatchObject({ outcome: "succeeded", deploymentId: "d-NEW" });
    expect(codeDeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 2);
    expect(codeDeploy).toHaveReceivedCommandTimes(ListDeploymentsCommand, 2);
  });

  it("fails clearly when the deployment slot stays taken", async () => {
    codeDeploy.on(CreateDeploymentCommand).rejects(limitExceeded());
    const { runtime } = fakeRuntime();

    const failure = await rolloutEcsService(request, clients, runtime).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(RolloutBlockedError);
    expect((failure as Error).message).toMatch(
      /after 3 attempts.*already has an active Deployment/,
    );
    expect(codeDeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 3);
  });

  it.each([
    ["the full ARN", TARGET],
    ["family:revision", "picus-dev:7"],
  ])("skips when the primary task set already runs the target (%s)", async (_, running) => {
    ecs.on(DescribeServicesCommand).resolves({ services: [codeDeployService(running)] });
    const { runtime, logs } = fakeRuntime();

    const result = await rolloutEcsService(request, clients, runtime);

    expect(result).toEqual({
      outcome: "skipped",
      taskDefinitionArn: TARGET,
      reason: "service picus-dev-api already runs picus-dev:7",
    });
    expect(codeDeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
    expect(logs).toEqual(["Nothing to deploy: service picus-dev-api already runs picus-dev:7."]);
  });

  describe("with the tasks' network", () => {
    const network = {
      subnets: ["subnet-0a", "subnet-0b"],
      securityGroups: ["sg-01"],
      assignPublicIp: false,
    };
    const runningIn = (subnets: string[]) =>
      codeDeployService(TARGET, {
        taskSets: [
          {
            status: "PRIMARY",
            taskDefinition: TARGET,
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets,
                securityGroups: ["sg-01"],
                assignPublicIp: "DISABLED",
              },
            },
          },
        ],
      });

    it("deploys the same task definition into new subnets, which ECS cannot change in place", async () => {
      ecs.on(DescribeServicesCommand).resolves({ services: [runningIn(["subnet-0c"])] });
      codeDeploy.on(GetDeploymentCommand).resolves(deployment("Succeeded"));
      const { runtime, logs } = fakeRuntime();

      const result = await rolloutEcsService({ ...request, network }, clients, runtime);

      expect(result.outcome).toBe("succeeded");
      expect(codeDeploy).toHaveReceivedCommandWith(CreateDeploymentCommand, {
        revision: appSpecRevision(
          buildEcsAppSpec({
            taskDefinitionArn: TARGET,
            containerName: "api",
            containerPort: 3000,
            network,
          }),
        ),
      });
      expect(logs).toContain(
        "The tasks' network changes: subnets subnet-0c → subnet-0a,subnet-0b.",
      );
    });

    it("skips when the task definition and the network already run, in any order", async () => {
      ecs
        .on(DescribeServicesCommand)
        .resolves({ services: [runningIn(["subnet-0b", "subnet-0a"])] });
      const { runtime } = fakeRuntime();

      const result = await rolloutEcsService({ ...request, network }, clients, runtime);

      expect(result.outcome).toBe("skipped");
      expect(codeDeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
    });
  });

  it("skips on first create, when the service has no task sets yet but runs the target", async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [codeDeployService(CURRENT, { taskSets: [], taskDefinition: TARGET })],
    });
    const { runtime } = fakeRuntime();

    const result = await rolloutEcsService(request, clients, runtime);

    expect(result.outcome).toBe("skipped");
  });

  it("rides out transient GetDeployment errors", async () => {
    codeDeploy
      .on(GetDeploymentCommand)
      .rejectsOnce(new Error("socket hang up"))
      .resolves(deployment("Succeeded"));
    const { runtime } = fakeRuntime();

    await expect(rolloutEcsService(request, clients, runtime)).resolves.toMatchObject({
      outcome: "succeeded",
    });
  });

  it("fails when GetDeployment keeps failing", async () => {
    codeDeploy.on(GetDeploymentCommand).rejects(new Error("AccessDeniedException"));
    const { runtime } = fakeRuntime();

    await expect(rolloutEcsService(request, clients, runtime)).rejects.toThrow(
      "AccessDeniedException",
    );
    expect(codeDeploy).toHaveReceivedCommandTimes(
      GetDeploymentCommand,
      DEFAULT_POLL_SETTINGS.maxConsecutiveErrors,
    );
  });

  it("refuses a service that is missing", async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolves({ services: [], failures: [{ arn: "arn:...", reason: "MISSING" }] });
    const { runtime } = fakeRuntime();

    await expect(rolloutEcsService(request, clients, runtime)).rejects.toThrow(
      "ECS service picus-dev-api in cluster picus-dev is not active (MISSING)",
    );
    expect(codeDeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
  });

  it("refuses a service that CodeDeploy does not control", async () => {
    ecs.on(DescribeServicesCommand).resolves({
      services: [codeDeployService(CURRENT, { deploymentController: { type: "ECS" } })],
    });
    const { runtime } = fakeRuntime();

    await expect(rolloutEcsService(request, clients, runtime)).rejects.toThrow(
      /uses the ECS deployment controller/,
    );
  });
});

describe("networkChange", () => {
  const running = { subnets: ["subnet-0a"], securityGroups: ["sg-01"], assignPublicIp: false };

  it("sees no change when no network is requested", () => {
    expect(networkChange(undefined, running)).toBeUndefined();
  });

  it("names every setting that differs", () => {
    expect(
      networkChange(
        { subnets: ["subnet-0b"], securityGroups: ["sg-02", "sg-03"], assignPublicIp: true },
        running,
      ),
    ).toBe(
      "subnets subnet-0a → subnet-0b; security groups sg-01 → sg-02,sg-03; public IP false → true",
    );
  });

  it("deploys when the running network is not known", () => {
    expect(networkChange(running, undefined)).toBe("network configuration not known");
  });
});

describe("taskDefinitionKey", () => {
  it.each([
    [TARGET, "picus-dev:7"],
    ["arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/a-b_c:12", "a-b_c:12"],
    ["picus-dev:7", "picus-dev:7"],
  ])("reduces %s to %s", (input, key) => {
    expect(taskDefinitionKey(input)).toBe(key);
  });
});
