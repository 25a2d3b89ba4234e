import {
  ROLLOUT_ENV,
  ROLLOUT_NETWORK_ENV,
  RolloutConfigError,
  rolloutEnvironment,
  rolloutSettingsFromEnv,
} from "./rollout-env";

const TASK_DEFINITION_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/picus-dev:7";

const settings = {
  applicationName: "picus-dev",
  deploymentGroupName: "picus-dev-api",
  clusterName: "picus-dev",
  serviceName: "picus-dev-api",
  taskDefinitionArn: TASK_DEFINITION_ARN,
  containerName: "api",
  containerPort: 3000,
  region: "eu-west-1",
};

describe("rollout environment", () => {
  it("round-trips from the component's environment to the CLI's request", () => {
    const env = rolloutEnvironment({ ...settings, timeoutMinutes: 45 });

    expect(rolloutSettingsFromEnv(env)).toEqual({
      region: "eu-west-1",
      request: {
        applicationName: "picus-dev",
        deploymentGroupName: "picus-dev-api",
        clusterName: "picus-dev",
        serviceName: "picus-dev-api",
        taskDefinitionArn: TASK_DEFINITION_ARN,
        containerName: "api",
        containerPort: 3000,
        timeoutMs: 45 * 60_000,
      },
    });
  });

  it("carries the tasks' network when there is one", () => {
    const network = {
      subnets: ["subnet-0a", "subnet-0b"],
      securityGroups: ["sg-01"],
      assignPublicIp: false,
    };
    const env = rolloutEnvironment({ ...settings, network });

    expect(env).toMatchObject({
      ROLLOUT_SUBNETS: "subnet-0a,subnet-0b",
      ROLLOUT_SECURITY_GROUPS: "sg-01",
      ROLLOUT_ASSIGN_PUBLIC_IP: "DISABLED",
    });
    expect(rolloutSettingsFromEnv(env).request.network).toEqual(network);
    expect(rolloutSettingsFromEnv(rolloutEnvironment(settings)).request).not.toHaveProperty(
      "network",
    );
  });

  it("defaults the timeout to 60 minutes", () => {
    const env = rolloutEnvironment(settings);
    expect(env[ROLLOUT_ENV.timeoutMinutes]).toBe("60");

    const { [ROLLOUT_ENV.timeoutMinutes]: _omitted, ...withoutTimeout } = env;
    expect(rolloutSettingsFromEnv(withoutTimeout).request.timeoutMs).toBe(60 * 60_000);
  });

  it("reports every missing setting at once", () => {
    expect(() => rolloutSettingsFromEnv({})).toThrow(RolloutConfigError);
    try {
      rolloutSettingsFromEnv({});
    } catch (error) {
      const message = (error as Error).message;
      for (const name of Object.values(ROLLOUT_ENV).filter(
        (n) => n !== ROLLOUT_ENV.timeoutMinutes,
      )) {
        expect(message).toContain(name);
      }
    }
  });

  it.each([
    [ROLLOUT_ENV.taskDefinitionArn, "picus-dev:7", /task definition ARN with a revision/],
    [ROLLOUT_ENV.taskDefinitionArn, `${TASK_DEFINITION_ARN.slice(0, -2)}`, /task definition ARN/],
    [ROLLOUT_ENV.containerPort, "http", /ROLLOUT_CONTAINER_PORT must be a positive number/],
    [ROLLOUT_ENV.containerPort, "70000", /ROLLOUT_CONTAINER_PORT must be a port number/],
    [ROLLOUT_ENV.timeoutMinutes, "0", /ROLLOUT_TIMEOUT_MINUTES must be a positive number/],
    [ROLLOUT_NETWORK_ENV.subnets, "subnet-0a,", /ROLLOUT_SUBNETS must list subnet IDs/],
    [ROLLOUT_NETWORK_ENV.subnets, "", /ROLLOUT_SUBNETS must list subnet IDs/],
    [ROLLOUT_NETWORK_ENV.securityGroups, "subnet-0a", /ROLLOUT_SECURITY_GROUPS must list/],
    [ROLLOUT_NETWORK_ENV.assignPublicIp, "no", /ROLLOUT_ASSIGN_PUBLIC_IP must be ENABLED or/],
  ])("rejects %s=%p", (name, value, expected) => {
    const env = {
      ...rolloutEnvironment({
        ...settings,
        network: { subnets: ["subnet-0a"], securityGroups: ["sg-01"], assignPublicIp: false },
      }),
      [name]: value,
    };

    expect(() => rolloutSettingsFromEnv(env)).toThrow(expected);
  });
});
