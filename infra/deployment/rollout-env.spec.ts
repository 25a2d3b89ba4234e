import {
  ROLLOUT_ENV,
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
  ])("rejects %s=%p", (name, value, expected) => {
    const env = { ...rolloutEnvironment(settings), [name]: value };

    expect(() => rolloutSettingsFromEnv(env)).toThrow(expected);
  });
});
