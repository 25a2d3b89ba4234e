import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type DeploymentInfo,
} from "@aws-sdk/client-codedeploy";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient, type TaskSet } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-jest";
import { parseRolloutRequest, type RolloutRequest } from "./request";
import { deploymentDescription, rollout, type Pacing } from "./rollout";

const TASK_DEFINITIONS = "arn:aws:ecs:eu-west-1:123456789012:task-definition/picus-dev-api";
const CURRENT = `${TASK_DEFINITIONS}:6`;
const TARGET = `${TASK_DEFINITIONS}:7`;
const TARGET_GROUPS = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup";
const BLUE = `${TARGET_GROUPS}/edge-blue/1`;
const GREEN = `${TARGET_GROUPS}/edge-green/2`;
const NETWORK = { subnets: ["subnet-0a", "subnet-0b"], securityGroups: ["sg-0c"] };

const request: RolloutRequest = {
  region: "eu-west-1",
  applicationName: "picus-dev",
  deploymentGroupName: "picus-dev-api",
  clusterName: "picus-dev",
  serviceName: "picus-dev-api",
  taskDefinitionArn: TARGET,
  containerName: "api",
  containerPort: 3000,
  network: { ...NETWORK, assignPublicIp: false },
  rollbackAlarms: {
    [BLUE]: ["target-5xx-blue", "revision-error-rate"],
    [GREEN]: ["target-5xx-green", "revision-error-rate"],
  },
  retryFailedRevision: false,
  timeoutMinutes: 1,
  steadyTimeoutMinutes: 1,
};

const codeDeploy = mockClient(CodeDeployClient);
const ecs = mockClient(ECSClient);
const cloudWatch = mockClient(CloudWatchClient);
const clients = {
  codeDeploy: new CodeDeployClient({ region: "eu-west-1" }),
  ecs: new ECSClient({ region: "eu-west-1" }),
  cloudWatch: new CloudWatchClient({ region: "eu-west-1" }),
};
const logs: string[] = [];
const pacing: Pacing = { minDelaySeconds: 0.001, maxDelaySeconds: 0.002, log: (m) => logs.push(m) };

function primary(taskDefinition: string, overrides: Partial<TaskSet> = {}): TaskSet {
  return {
    status: "PRIMARY",
    taskDefinition,
    loadBalancers: [{ targetGroupArn: BLUE }],
    networkConfiguration: { awsvpcConfiguration: { ...NETWORK, assignPublicIp: "DISABLED" } },
    stabilityStatus: "STEADY_STATE",
    runningCount: 2,
    computedDesiredCount: 2,
    ...overrides,
  };
}

function serviceRuns(...taskSets: TaskSet[]) {
  const chain = ecs.on(DescribeServicesCommand);
  for (const taskSet of taskSets) {
    chain.resolvesOnce({
      services: [
        {
          status: "ACTIVE",
          deploymentController: { type: "CODE_DEPLOY" },
          taskSets: [taskSet],
          events: [{ message: "task stopped: essential container exited" }],
        },
      ],
    });
  }
}

function deployment(status: DeploymentInfo["status"], extra: Partial<DeploymentInfo> = {}) {
  return { deploymentInfo: { deploymentId: "d-NEW", status, ...extra } };
}

function history(...deployments: DeploymentInfo[]) {
  codeDeploy
    .on(ListDeploymentsCommand, { includeOnlyStatuses: ["Succeeded", "Failed", "Stopped"] })
    .resolves({ deployments: deployments.map((d) => d.deploymentId ?? "") })
    .on(BatchGetDeploymentsCommand)
    .resolves({ deploymentsInfo: deployments });
}

const failedTarget: DeploymentInfo = {
  deploymentId: "d-BAD",
  creator: "user",
  status: "Failed",
  description: deploymentDescription(TARGET),
  createTime: new Date("2025-01-01T10:00:00Z"),
  errorInformation: { code: "HEALTH_CONSTRAINTS", message: "tasks failed health checks" },
};

beforeEach(() => {
  codeDeploy.reset();
  ecs.reset();
  cloudWatch.reset();
  logs.length = 0;
  cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
  codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-NEW" });
});

describe("rollout", () => {
  it("deploys nothing when the service runs the declared revision, once it is steady", async () => {
    serviceRuns(primary(TARGET), primary(TARGET));

    await rollout(request, clients, pacing);

    expect(codeDeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
    expect(logs.at(-1)).toMatch(/Steady: 2 healthy task\(s\) of picus-dev-api:7/);
  });

  it.each([
    ["blue", [BLUE], ["target-5xx-green", "revision-error-rate"]],
    ["green", [GREEN], ["target-5xx-blue", "revision-error-rate"]],
    ["unknown", [], ["target-5xx-blue", "revision-error-rate", "target-5xx-green"]],
  ])(
    "rolls a service changed outside Pulumi back, judged only by the alarms of the group the new tasks join and of its revision (live: %s)",
    async (_, live, alarms) => {
      const loadBalancers = live.map((targetGroupArn) => ({ targetGroupArn }));
      serviceRuns(primary(CURRENT, { loadBalancers }), primary(TARGET));
      codeDeploy.on(GetDeploymentCommand).resolves(deployment("Succeeded"));

      await rollout(request, clients, pacing);

      const input = codeDeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input;
      expect(input.description).toBe("picus rollout of picus-dev-api:7");
      expect(input.overrideAlarmConfiguration).toEqual({
        enabled: true,
        alarms: alarms.map((name) => ({ name })),
      });
      const appSpec = JSON.parse(input.revision?.appSpecContent?.content ?? "{}") as {
        Resources: { TargetService: { Properties: Record<string, unknown> } }[];
      };
      expect(appSpec.Resources[0].TargetService.Properties).toEqual({
        TaskDefinition: TARGET,
        LoadBalancerInfo: { ContainerName: "api", ContainerPort: 3000 },
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: NETWORK.subnets,
            SecurityGroups: NETWORK.securityGroups,
            AssignPublicIp: "DISABLED",
          },
        },
      });
    },
  );

  it("deploys a change of the tasks' network even when the revision is the same", async () => {
    const moved = { awsvpcConfiguration: { subnets: ["subnet-0f"], securityGroups: ["sg-0c"] } };
    serviceRuns(primary(TARGET, { networkConfiguration: moved }), primary(TARGET));
    codeDeploy.on(GetDeploymentCommand).resolves(deployment("Succeeded"));

    await rollout(request, clients, pacing);

    expect(codeDeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1);
  });

  it("does not silently redeploy a revision whose last deployment failed", async () => {
    serviceRuns(primary(CURRENT));
    history(failedTarget, {
      deploymentId: "d-ROLLBACK",
      creator: "codeDeployRollback",
      status: "Succeeded",
      createTime: new Date("2025-01-01T10:05:00Z"),
    });

    await expect(rollout(request, clients, pacing)).rejects.toThrow(
      /picus-dev-api:7 already failed in deployment d-BAD \(Failed \[HEALTH_CONSTRAINTS\].*retryFailedRevision/s,
    );
    expect(codeDeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
  });

  it("retries a failed revision when asked to, and deploys a new one after a failure", async () => {
    codeDeploy.on(GetDeploymentCommand).resolves(deployment("Succeeded"));
    serviceRuns(primary(CURRENT), primary(TARGET), primary(CURRENT), primary(TARGET));
    history(failedTarget);
    await rollout({ ...request, retryFailedRevision: true }, clients, pacing);

    history({ ...failedTarget, description: deploymentDescription(`${TASK_DEFINITIONS}:5`) });
    await rollout(request, clients, pacing);

    expect(codeDeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 2);
  });

  it("fails the update with CodeDeploy's reason and the rollback", async () => {
    serviceRuns(primary(CURRENT));
    codeDeploy.on(GetDeploymentCommand).resolves(
      deployment("Stopped", {
        errorInformation: { code: "ALARM_ACTIVE", message: "target-5xx-green in ALARM" },
        rollbackInfo: { rollbackMessage: "Deployment d-RB rolled back d-NEW" },
      }),
    );

    await expect(rollout(request, clients, pacing)).rejects.toThrow(
      "Deployment d-NEW of picus-dev-api:7 ended Stopped: [ALARM_ACTIVE] target-5xx-green in ALARM\nRolled back: Deployment d-RB rolled back d-NEW",
    );
  });

  it("finds a failed revision on a later page of CodeDeploy's history", async () => {
    serviceRuns(primary(CURRENT));
    codeDeploy
      .on(ListDeploymentsCommand)
      .resolvesOnce({ deployments: ["d-OLD"], nextToken: "page-2" })
      .resolvesOnce({ deployments: ["d-BAD"] })
      .on(BatchGetDeploymentsCommand)
      .resolves({ deploymentsInfo: [failedTarget] });

    await expect(rollout(request, clients, pacing)).rejects.toThrow(
      /already failed in d?eployment d-BAD/,
    );
    expect(codeDeploy).toHaveReceivedCommandTimes(ListDeploymentsCommand, 2);
  });

  it("waits until the new group's rollback alarms leave ALARM before it deploys", async () => {
    serviceRuns(primary(CURRENT), primary(TARGET));
    codeDeploy.on(GetDeploymentCommand).resolves(deployment("Succeeded"));
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: "target-5xx-green" }] })
      .resolves({ MetricAlarms: [] });

    await rollout(request, clients, pacing);

    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ["target-5xx-green", "revision-error-rate"],
      StateValue: "ALARM",
    });
    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 2);
    expect(logs.join("\n")).toContain(
      "Waiting for rollback alarms to leave ALARM: target-5xx-green",
    );
    expect(codeDeploy).toHaveReceivedCommandTimes(CreateDeploymentCommand, 1);
  });

  it("stops a deployment that outlives its budget, with rollback", async () => {
    serviceRuns(primary(CURRENT));
    codeDeploy.on(GetDeploymentCommand).resolves(deployment("InProgress"));

    await expect(rollout({ ...request, timeoutMinutes: 0.0005 }, clients, pacing)).rejects.toThrow(
      /did not finish within 0.0005 minutes \(last status InProgress\); it was stopped with rollback/,
    );
    expect(codeDeploy).toHaveReceivedCommandWith(StopDeploymentCommand, {
      deploymentId: "d-NEW",
      autoRollbackEnabled: true,
    });
  });

  it("waits for a stopped deployment to finish stopping before it fails the update", async () => {
    serviceRuns(primary(CURRENT));
    const calls: string[] = [];
    codeDeploy.on(StopDeploymentCommand).callsFake(() => {
      calls.push("stop");
      return {};
    });
    codeDeploy.on(GetDeploymentCommand).callsFake(() => {
      const stopping =
        calls.includes("stop") && calls.filter((c) => c === "get after stop").length < 2;
      calls.push(calls.includes("stop") ? "get after stop" : "get");
      return deployment(calls.includes("stop") && !stopping ? "Stopped" : "InProgress");
    });

    await expect(rollout({ ...request, timeoutMinutes: 0.0001 }, clients, pacing)).rejects.toThrow(
      /stopped with rollback/,
    );
    expect(calls.slice(calls.indexOf("stop"))).toEqual([
      "stop",
      "get after stop",
      "get after stop",
      "get after stop",
    ]);
  });

  it("fails a first deploy whose tasks never become steady and healthy (crash loop)", async () => {
    const crashing = primary(TARGET, { stabilityStatus: "STABILIZING", runningCount: 0 });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          status: "ACTIVE",
          deploymentController: { type: "CODE_DEPLOY" },
          taskSets: [crashing],
          events: [{ message: "task stopped: essential container exited" }],
        },
      ],
    });

    await expect(
      rollout({ ...request, steadyTimeoutMinutes: 0.0005 }, clients, pacing),
    ).rejects.toThrow(
      /not steady with healthy targets .*0\/2 tasks running, STABILIZING.*essential container exited/s,
    );
  });
});

describe("parseRolloutRequest", () => {
  it("reads the document the component writes", () => {
    expect(parseRolloutRequest(JSON.stringify(request))).toEqual(request);
  });

  it("names every problem of a bad request at once", () => {
    const bad = { ...request, taskDefinitionArn: "picus:7", containerPort: 0, network: {} };
    expect(() => parseRolloutRequest(JSON.stringify(bad))).toThrow(
      /taskDefinitionArn[\s\S]*containerPort[\s\S]*network\.subnets/,
    );
    expect(() => parseRolloutRequest("ROLLOUT_CLUSTER_NAME=x")).toThrow(/not JSON/);
  });
});
