/**
 * Runs the rollout CLI (cli.ts, rollout.ts) on every `pulumi up`, after the service and the
 * deployment group; `pulumi preview`, `refresh` and `destroy` never run it.
 */
import * as path from "node:path";
import { local } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { RolloutRequestSchema, type RolloutRequest } from "./request";

type Request = Omit<RolloutRequest, "steadyTimeoutMinutes" | "timeoutMinutes">;
/** The request's fields; `runId` changes on every `pulumi up`, so the check runs every time. */
export type EcsBlueGreenRolloutArgs = { [K in keyof Request]: pulumi.Input<Request[K]> } & {
  timeoutMinutes: number;
  runId: string;
};

const CLI = "infra/deployment/cli.ts";
export const ROLLOUT_COMMAND = `node --import tsx ${CLI}`;
const STEADY_TIMEOUT_MINUTES = 10;
/** The repository root, where the CLI runs from: Node runs this program from its sources. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

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
    const timeout = `${args.timeoutMinutes + STEADY_TIMEOUT_MINUTES + 5}m`;

    const check = new local.Command(
      `${name}-deploy`,
      {
        create: ROLLOUT_COMMAND,
        dir: PROJECT_ROOT,
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
