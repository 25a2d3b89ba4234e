import { existsSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseRolloutRequest } from "./request";

type Registered = { type: string; name: string; inputs: Record<string, unknown> };
const registered: Registered[] = [];
const TASK_DEFINITION_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/picus-dev-api:7";
type RolloutModule = typeof import("./ecs-blue-green-rollout");

/** Mocks first, then the module, as Pulumi's unit-testing guide orders it. */
async function load(): Promise<RolloutModule> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as never });
        return { id: `${args.name}-id`, state: { ...(args.inputs as object), stdout: "" } };
      },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    "picus",
    "dev",
  );
  return jest.requireActual<RolloutModule>("./ecs-blue-green-rollout");
}

const args = {
  region: "eu-west-1",
  applicationName: "picus-dev",
  deploymentGroupName: pulumi.output("picus-dev-api"),
  clusterName: "picus-dev",
  serviceName: "picus-dev-api",
  taskDefinitionArn: pulumi.output(TASK_DEFINITION_ARN),
  containerName: "api",
  containerPort: 3000,
  network: pulumi.output({
    subnets: [pulumi.output("subnet-0a")],
    securityGroups: ["sg-01"],
    assignPublicIp: false,
  }),
  rollbackAlarms: pulumi.output({
    "arn:tg/blue": [pulumi.output("target-5xx-blue")],
    "arn:tg/green": [],
  }),
  retryFailedRevision: false,
  timeoutMinutes: 45,
  runId: "2025-01-01T10:00:00.000Z",
};

async function commandOf(rollout: { taskDefinitionArn: pulumi.Output<string> }) {
  await new Promise((resolve) => rollout.taskDefinitionArn.apply(resolve));
  const command = registered.find((r) => r.type === "command:local:Command");
  if (!command) throw new Error("no command registered");
  return command.inputs;
}

beforeEach(() => {
  registered.length = 0;
});

describe("EcsBlueGreenRollout", () => {
  it("runs the CLI from the project root on every update, with one JSON request on stdin", async () => {
    const { EcsBlueGreenRollout, ROLLOUT_COMMAND } = await load();

    const inputs = await commandOf(new EcsBlueGreenRollout("api", args));

    expect(inputs.create).toBe(ROLLOUT_COMMAND);
    expect(inputs.dir).toBe(path.resolve(__dirname, "..", ".."));
    expect(existsSync(path.join(inputs.dir as string, "infra/deployment/cli.ts"))).toBe(true);
    expect(inputs.triggers).toEqual([args.runId]);
    expect(inputs.environment).toEqual({});
    expect(parseRolloutRequest(inputs.stdin as string)).toEqual({
      ...args,
      runId: undefined,
      deploymentGroupName: "picus-dev-api",
      taskDefinitionArn: TASK_DEFINITION_ARN,
      network: { subnets: ["subnet-0a"], securityGroups: ["sg-01"], assignPublicIp: false },
      rollbackAlarms: { "arn:tg/blue": ["target-5xx-blue"], "arn:tg/green": [] },
      steadyTimeoutMinutes: 10,
    });
  });

  it("passes a configured aws:profile on, as the AWS provider would use it", async () => {
    const { EcsBlueGreenRollout } = await load();
    pulumi.runtime.setAllConfig({ "aws:profile": "picus-dev" });
    try {
      const inputs = await commandOf(new EcsBlueGreenRollout("api", args));
      expect(inputs.environment).toEqual({ AWS_PROFILE: "picus-dev" });
    } finally {
      pulumi.runtime.setAllConfig({});
    }
  });
});
