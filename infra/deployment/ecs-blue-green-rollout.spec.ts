import { existsSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

type Registered = { type: string; name: string; inputs: Record<string, unknown> };
const registered: Registered[] = [];

const TASK_DEFINITION_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/picus-dev:7";

function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

type RolloutModule = typeof import("./ecs-blue-green-rollout");

/** Mocks first, then the module, as Pulumi's unit-testing guide orders it. */
async function load(): Promise<RolloutModule> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
        });
        const state = args.type === "command:local:Command" ? { stdout: "Rollout skipped." } : {};
        return { id: `${args.name}-id`, state: { ...(args.inputs as object), ...state } };
      },
      call: (args) => args.inputs as Record<string, unknown>,
    },
    "picus",
    "dev",
  );
  return jest.requireActual<RolloutModule>("./ecs-blue-green-rollout");
}

const args = {
  applicationName: "picus-dev",
  deploymentGroupName: pulumi.output("picus-dev-api"),
  clusterName: "picus-dev",
  serviceName: "picus-dev-api",
  taskDefinitionArn: pulumi.output(TASK_DEFINITION_ARN),
  containerName: "api",
  containerPort: 3000,
  region: "eu-west-1",
};

class EcsService extends pulumi.CustomResource {
  constructor(name: string) {
    super("aws:ecs/service:Service", name, {});
  }
}

function commandInputs(name: string): Record<string, unknown> {
  const command = registered.find((r) => r.type === "command:local:Command" && r.name === name);
  if (!command)
    throw new Error(`no command ${name} among ${registered.map((r) => r.name).join(", ")}`);
  return command.inputs;
}

beforeEach(() => {
  registered.length = 0;
});

describe("EcsBlueGreenRollout", () => {
  it("runs the rollout CLI from the project root whenever the task definition changes", async () => {
    const { EcsBlueGreenRollout, ROLLOUT_COMMAND } = await load();

    const rollout = new EcsBlueGreenRollout("api", args);
    await outputValue(rollout.taskDefinitionArn);

    const inputs = commandInputs("api-deploy");
    expect(inputs.create).toBe(ROLLOUT_COMMAND);
    expect(ROLLOUT_COMMAND).toBe("node --import tsx infra/deployment/cli.ts");
    expect(inputs.triggers).toEqual([TASK_DEFINITION_ARN]);
    expect(inputs.addPreviousOutputInEnv).toBe(false);
    expect(inputs.update).toBeUndefined();
    expect(inputs.delete).toBeUndefined();
    expect(inputs.dir).toBe(path.resolve(__dirname, "..", ".."));
    expect(existsSync(path.join(inputs.dir as string, "infra/deployment/cli.ts"))).toBe(true);
    expect(existsSync(path.join(inputs.dir as string, "node_modules/tsx"))).toBe(true);
  });

  it("hands every setting to the CLI through its environment", async () => {
    const { EcsBlueGreenRollout } = await load();

    const rollout = new EcsBlueGreenRollout("api", { ...args, timeoutMinutes: 45 });
    await outputValue(rollout.taskDefinitionArn);

    expect(commandInputs("api-deploy").environment).toEqual({
      ROLLOUT_APPLICATION_NAME: "picus-dev",
      ROLLOUT_DEPLOYMENT_GROUP_NAME: "picus-dev-api",
      ROLLOUT_CLUSTER_NAME: "picus-dev",
      ROLLOUT_SERVICE_NAME: "picus-dev-api",
      ROLLOUT_TASK_DEFINITION_ARN: TASK_DEFINITION_ARN,
      ROLLOUT_CONTAINER_NAME: "api",
      ROLLOUT_CONTAINER_PORT: "3000",
      ROLLOUT_TIMEOUT_MINUTES: "45",
      AWS_REGION: "eu-west-1",
    });
  });

  it("hands the tasks' network to the CLI and rolls out again when it changes", async () => {
    const { EcsBlueGreenRollout } = await load();
    const network = {
      subnets: [pulumi.output("subnet-0a"), "subnet-0b"],
      securityGroups: pulumi.output(["sg-01"]),
      assignPublicIp: false,
    };

    const rollout = new EcsBlueGreenRollout("api", { ...args, network });
    await outputValue(rollout.taskDefinitionArn);

    const inputs = commandInputs("api-deploy");
    expect(inputs.environment).toMatchObject({
      ROLLOUT_SUBNETS: "subnet-0a,subnet-0b",
      ROLLOUT_SECURITY_GROUPS: "sg-01",
      ROLLOUT_ASSIGN_PUBLIC_IP: "DISABLED",
    });
    expect(inputs.triggers).toEqual([
      TASK_DEFINITION_ARN,
      { subnets: ["subnet-0a", "subnet-0b"], securityGroups: ["sg-01"], assignPublicIp: false },
    ]);
  });

  it("passes a configured aws:profile on, as the AWS provider would use it", async () => {
    const { EcsBlueGreenRollout } = await load();
    pulumi.runtime.setAllConfig({ "aws:profile": "picus-dev" });

    try {
      const rollout = new EcsBlueGreenRollout("api", args);
      await outputValue(rollout.taskDefinitionArn);
    } finally {
      pulumi.runtime.setAllConfig({});
    }

    expect(commandInputs("api-deploy").environment).toMatchObject({ AWS_PROFILE: "picus-dev" });
  });

  it("declares the command as its child, after the resources it depends on", async () => {
    const { EcsBlueGreenRollout } = await load();
    const service = new EcsService("service");
    const seen: pulumi.ResourceTransformationArgs[] = [];
    const capture: pulumi.ResourceTransformation = (transformed) => {
      seen.push(transformed);
      return undefined;
    };

    const rollout = new EcsBlueGreenRollout("api", args, {
      dependsOn: [service],
      transformations: [capture],
    });
    await outputValue(rollout.taskDefinitionArn);

    const command = seen.find((t) => t.type === "command:local:Command");
    expect(command?.name).toBe("api-deploy");
    expect(command?.opts.parent).toBe(rollout);
    expect(command?.opts.dependsOn).toEqual([service]);
    expect(command?.opts.customTimeouts).toEqual({ create: "135m", update: "135m" });
  });

  it("exposes the task definition ARN once the rollout has run", async () => {
    const { EcsBlueGreenRollout } = await load();

    const rollout = new EcsBlueGreenRollout("api", args);

    await expect(outputValue(rollout.taskDefinitionArn)).resolves.toBe(TASK_DEFINITION_ARN);
    expect(pulumi.ComponentResource.isInstance(rollout)).toBe(true);
  });

  it.each([0, -5, Number.NaN])("rejects timeoutMinutes %p", async (timeoutMinutes) => {
    const { EcsBlueGreenRollout } = await load();

    expect(() => new EcsBlueGreenRollout("api", { ...args, timeoutMinutes })).toThrow(
      /timeoutMinutes must be a positive number/,
    );
  });

  it("finds the project root from a compiled location too", async () => {
    const { projectRoot } = await load();
    const root = path.resolve(__dirname, "..", "..");

    expect(projectRoot(path.join(root, "dist", "infra", "deployment"))).toBe(root);
    expect(() => projectRoot(path.parse(root).root)).toThrow(
      /Cannot find infra\/deployment\/cli.ts/,
    );
  });
});
