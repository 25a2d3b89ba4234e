/**
 * `node --import tsx infra/deployment/cli.ts < request.json`, run by EcsBlueGreenRollout on every
 * `pulumi up`; credentials from the environment. Exit codes: 0 done, 1 failed, 2 a bad request.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { ECSClient } from "@aws-sdk/client-ecs";
import { parseRolloutRequest, type RolloutRequest } from "./request";
import { rollout } from "./rollout";

async function main(): Promise<number> {
  let request: RolloutRequest;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    request = parseRolloutRequest(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const config = { region: request.region, maxAttempts: 5 };
  const clients = {
    codeDeploy: new CodeDeployClient(config),
    ecs: new ECSClient(config),
    cloudWatch: new CloudWatchClient(config),
  };
  try {
    await rollout(request, clients);
    return 0;
  } catch (error) {
    console.error(`Rollout failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    clients.codeDeploy.destroy();
    clients.ecs.destroy();
    clients.cloudWatch.destroy();
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
