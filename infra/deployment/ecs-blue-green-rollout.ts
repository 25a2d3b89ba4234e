/**
 * Runs the rollout CLI (cli.ts) on every `pulumi up`, after the service and the deployment group:
 * it deploys the declared task definition and network through CodeDeploy blue/green when the
 * service runs anything else (a new revision, or a change made outside Pulumi), refuses a revision
 * whose last deployment failed, and fails the update unless the service ends steady with healthy
 * targets. `pulumi preview`, `refresh` and `destroy` never run it.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { local } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { RolloutRequestSchema } from "./request";

export interface TaskNetworkArgs {
  subnets: pulumi.Input<pulumi.Input<string>[]>;
  securityGroups: pulumi.Input<pulumi.Input<string>[]>;
  assignPublicIp: boolean;
}

export interface EcsBlueGreenRolloutArgs {
  region: string;
  applicationName: pulumi.Input<string>;
  deploymentGroupName: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  taskDefinitionArn: pulumi.Input<string>;
  containerName: string;
  containerPort: number;
  network: TaskNetworkArgs;
  /** Per target group ARN, the alarms that judge tasks registered in it. */
  rollbackAlarms: pulumi.Input<Record<string, pulumi.Input<string>[]>>;
  retryFailedRevision: boolean;
  /** Minutes for one deployment: above canary + termination wait + task start-up. */
  timeoutMinutes: number;
  /** Changes on every `pulumi up` (e.g. its start time), so the check runs on every update. */
  runId: string;
}

const CLI = "infra/deployment/cli.ts";
export const ROLLOUT_COMMAND = `node --import tsx ${CLI}`;
const STEADY_TIMEOUT_MINUTES = 10;

/** The repository root, where the CLI runs from, wherever the program itself was compiled to. */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, CLI))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Cannot find ${CLI} above ${from}`);
  }
}

export class EcsBlueGreenRollout extends pulumi.ComponentResource {
  /** The declared task definition, known once the service runs it steadily. */
  public readonly taskDefinitionArn: pulumi.Output<string>;

  constructor(
    name: string,
    args: EcsBlueGreenRolloutArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("picus:deployment:EcsBlueGreenRollout", name, {}, opts);
    const { runId, ...fields } = args;
    const request = pulumi
      .output({ ...fields, steadyTimeoutMinutes: STEADY_TIMEOUT_MINUTES })
      .apply((resolved) => JSON.stringify(RolloutRequestSchema.parse(resolved)));
    const awsProfile = new pulumi.Config("aws").get("profile");
    // Waiting for a deployment already in progress, then our own, then steady state.
    const timeout = `${2 * args.timeoutMinutes + STEADY_TIMEOUT_MINUTES + 5}m`;

    const check = new local.Command(
      `${name}-deploy`,
      {
        create: ROLLOUT_COMMAND,
        dir: projectRoot(),
        stdin: request,
        environment: awsProfile === undefined ? {} : { AWS_PROFILE: awsProfile },
        triggers: [runId],
        addPreviousOutputInEnv: false,
      },
      {
        parent: this,
        dependsOn: opts.dependsOn,
        customTimeouts: { create: timeout, update: timeout },
      },
    );

    this.taskDefinitionArn = pulumi
      .all([check.stdout, args.taskDefinitionArn])
      .apply(([, arn]) => arn);
    this.registerOutputs({ taskDefinitionArn: this.taskDefinitionArn });
  }
}
