/**
 * Rolls the ECS service out through CodeDeploy; run by EcsBlueGreenRollout during `pulumi up`.
 * Settings come from ROLLOUT_* variables and AWS_REGION (see rollout-env.ts); credentials come
 * from the environment, like the Pulumi AWS provider's. Exit codes: 0 done or nothing to do,
 * 1 the rollout failed, 2 invalid settings.
 *
 *   node --import tsx infra/deployment/cli.ts
 */
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { ECSClient } from "@aws-sdk/client-ecs";
import { rolloutEcsService } from "./rollout";
import { RolloutConfigError, rolloutSettingsFromEnv } from "./rollout-env";

async function main(): Promise<number> {
  let settings: ReturnType<typeof rolloutSettingsFromEnv>;
  try {
    settings = rolloutSettingsFromEnv(process.env);
  } catch (error) {
    if (!(error instanceof RolloutConfigError)) throw error;
    console.error(error.message);
    return 2;
  }

  const clientConfig = { region: settings.region, maxAttempts: 5 };
  const clients = {
    codeDeploy: new CodeDeployClient(clientConfig),
    ecs: new ECSClient(clientConfig),
  };
  try {
    const result = await rolloutEcsService(settings.request, clients);
    console.log(
      result.outcome === "skipped"
        ? `Rollout skipped: ${result.reason}.`
        : `Rollout succeeded: ${result.taskDefinitionArn} (deployment ${result.deploymentId}).`,
    );
    return 0;
  } catch (error) {
    console.error(`Rollout failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    clients.codeDeploy.destroy();
    clients.ecs.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
