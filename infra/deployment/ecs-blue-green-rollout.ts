/**
 * Rolls a new ECS task definition out through CodeDeploy blue/green during `pulumi up`.
 *
 * - Trigger: a change of `taskDefinitionArn` or `network` replaces the child
 *   `command:local:Command`, whose create step runs `infra/deployment/cli.ts`: it starts a
 *   CodeDeploy deployment with an ECS AppSpec for that revision and network and waits until
 *   CodeDeploy reports Succeeded, Failed or Stopped. (ECS refuses to change the subnets or
 *   security groups of a CODE_DEPLOY service in place, so they change through a deployment too.)
 * - Failure: a Failed/Stopped deployment (after CodeDeploy's automatic rollback) or a timeout
 *   (the deployment is then stopped with rollback) exits non-zero, so `pulumi up` fails with
 *   CodeDeploy's error code, message, rollback and failing lifecycle event. The command is kept
 *   with an initialization error, so the next `pulumi up` (without --refresh) runs it again.
 * - No-op: when the service already runs the target revision in that network (first create, a repeated run, a
 *   change of another input) the CLI exits 0 without deploying. `pulumi preview`, `refresh` and
 *   `destroy` never run it. A deployment already in progress in the group is waited for first.
 * - Credentials: the Pulumi process's environment (plus `aws:profile` when configured).
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { local } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_TIMEOUT_MINUTES, rolloutEnvironment } from "./rollout-env";

export interface EcsBlueGreenRolloutArgs {
  applicationName: pulumi.Input<string>;
  deploymentGroupName: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  /** The full ARN of the revision to roll out; every change starts a deployment. */
  taskDefinitionArn: pulumi.Input<string>;
  /** The container and port the blue/green target groups route to. */
  containerName: pulumi.Input<string>;
  containerPort: pulumi.Input<number>;
  /** Where the tasks run; every change starts a deployment that moves them there. */
  network?: pulumi.Input<TaskNetworkArgs>;
  region: pulumi.Input<string>;
  /**
   * Minutes to wait for our deployment (default 60; keep it above canary + termination wait +
   * task start-up). A plain number: it also sizes the command's custom timeouts.
   */
  timeoutMinutes?: number;
}

export interface TaskNetworkArgs {
  subnets: pulumi.Input<pulumi.Input<string>[]>;
  securityGroups: pulumi.Input<pulumi.Input<string>[]>;
  assignPublicIp: pulumi.Input<boolean>;
}

const CLI = "infra/deployment/cli.ts";

/** Runs the CLI from the repository root, wherever the program itself was compiled to. */
export const ROLLOUT_COMMAND = `node --import tsx ${CLI}`;

export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, CLI))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`Cannot find ${CLI} above ${from}`);
  }
}

export class EcsBlueGreenRollout extends pulumi.ComponentResource {
  /** The task definition ARN, known once CodeDeploy has rolled it out (or found it in place). */
  public readonly taskDefinitionArn: pulumi.Output<string>;

  constructor(
    name: string,
    args: EcsBlueGreenRolloutArgs,
    opts: pulumi.ComponentResourceOptions = {},
  ) {
    super("picus:deployment:EcsBlueGreenRollout", name, {}, opts);

    const timeoutMinutes = args.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES;
    if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0) {
      throw new Error(`timeoutMinutes must be a positive number, got ${timeoutMinutes}`);
    }
    const awsProfile = new pulumi.Config("aws").get("profile");

    const environment = pulumi
      .output({
        applicationName: args.applicationName,
        deploymentGroupName: args.deploymentGroupName,
        clusterName: args.clusterName,
        serviceName: args.serviceName,
        taskDefinitionArn: args.taskDefinitionArn,
        containerName: args.containerName,
        containerPort: args.containerPort,
        network: args.network,
        region: args.region,
      })
      .apply((settings) => ({
        ...rolloutEnvironment({ ...settings, timeoutMinutes }),
        ...(awsProfile ? { AWS_PROFILE: awsProfile } : {}),
      }));

    // Waiting for a deployment already in progress and then our own can take two budgets.
    const commandTimeout = `${2 * timeoutMinutes + 15}m`;
    const deploy = new local.Command(
      `${name}-deploy`,
      {
        create: ROLLOUT_COMMAND,
        dir: projectRoot(),
        environment,
        triggers:
          args.network === undefined
            ? [args.taskDefinitionArn]
            : [args.taskDefinitionArn, args.network],
        addPreviousOutputInEnv: false,
      },
      {
        parent: this,
        dependsOn: opts.dependsOn,
        customTimeouts: { create: commandTimeout, update: commandTimeout },
      },
    );

    this.taskDefinitionArn = pulumi
      .all([deploy.stdout, args.taskDefinitionArn])
      .apply(([, arn]) => arn);
    this.registerOutputs({ taskDefinitionArn: this.taskDefinitionArn });
  }
}
