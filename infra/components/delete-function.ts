import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleDeleteFunction, DELETE_FUNCTION_HANDLER } from "../../functions/build";
import { allowPolicy, serviceRole, type RoleSettings } from "../iam";
import { XRAY_WRITE_ACTIONS } from "./collector";

export interface DeleteFunctionArgs {
  tableName: pulumi.Input<string>;
  tableArn: pulumi.Input<string>;
  /** AUTH_ISSUER and AUTH_CLIENT_IDS: whose tokens the function accepts. */
  authEnvironment: Record<string, pulumi.Input<string>>;
  memoryMb: number;
  /** -1 leaves the function on the account's unreserved concurrency pool. */
  reservedConcurrency: number;
  logRetentionDays: number;
  logLevel: string;
  roles: RoleSettings;
}

/** Bundles the handler with esbuild into a fresh directory and returns it as a Lambda archive. */
async function bundledCode(): Promise<pulumi.asset.Archive> {
  const outdir = mkdtempSync(path.join(tmpdir(), "picus-delete-item-"));
  return new pulumi.asset.FileArchive(await bundleDeleteFunction(outdir));
}

/** The Lambda that serves `DELETE /picus/{key}` behind the ALB, allowed nothing but DeleteItem. */
export class DeleteFunction extends pulumi.ComponentResource {
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: DeleteFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:function:DeleteFunction", name, {}, opts);

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { retentionInDays: args.logRetentionDays },
      { parent: this },
    );

    const role = serviceRole(`${name}-role`, "lambda.amazonaws.com", args.roles, {
      parent: this,
    });
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.name,
        policy: allowPolicy([
          { Sid: "DeleteItems", Action: ["dynamodb:DeleteItem"], Resource: [args.tableArn] },
          {
            Sid: "WriteLogs",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [pulumi.interpolate`${logGroup.arn}:*`],
          },
          // Active tracing: Lambda sends the invocation's segment with these rights.
          { Sid: "WriteTraces", Action: XRAY_WRITE_ACTIONS, Resource: ["*"] },
        ]),
      },
      { parent: this },
    );

    const fn = new aws.lambda.Function(
      `${name}-fn`,
      {
        runtime: aws.lambda.Runtime.NodeJS22dX,
        architectures: ["arm64"],
        handler: DELETE_FUNCTION_HANDLER,
        code: bundledCode(),
        role: role.arn,
        memorySize: args.memoryMb,
        timeout: 10,
        reservedConcurrentExecutions: args.reservedConcurrency,
        environment: {
          variables: {
            TABLE_NAME: args.tableName,
            LOG_LEVEL: args.logLevel,
            POWERTOOLS_SERVICE_NAME: "picus-delete",
            POWERTOOLS_METRICS_NAMESPACE: "picus",
            ...args.authEnvironment,
          },
        },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        tracingConfig: { mode: "Active" },
      },
      { parent: this, dependsOn: [logGroup, policy] },
    );

    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn });
  }
}
