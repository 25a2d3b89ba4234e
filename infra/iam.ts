import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackSettings } from "./config";
import { boundaryPolicyArn, rolePath } from "./naming";

export interface Statement {
  Sid: string;
  Action: string[];
  Resource: pulumi.Input<pulumi.Input<string>[]>;
  Condition?: Record<string, Record<string, pulumi.Input<string | string[]>>>;
}

/** An identity policy that only allows: each statement names its actions and resources. */
export function allowPolicy(statements: Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: statements.map((statement) => ({ Effect: "Allow", ...statement })),
  });
}

/** Where this stack's roles live, the boundary they carry, and the account they trust. */
export interface RoleSettings {
  path: string;
  permissionsBoundary: pulumi.Output<string>;
  accountId: pulumi.Output<string>;
  partition: pulumi.Output<string>;
}

export function roleSettings(settings: StackSettings, provider: aws.Provider): RoleSettings {
  const identity = aws.getCallerIdentityOutput({}, { provider });
  const partition = aws.getPartitionOutput({}, { provider }).partition;
  return {
    path: rolePath(settings.project, settings.stack),
    permissionsBoundary: pulumi
      .all([partition, identity.accountId])
      .apply(([p, account]) => boundaryPolicyArn(p, account, settings.project, settings.stack)),
    accountId: identity.accountId,
    partition,
  };
}

/**
 * A role one service may assume only for this account (and, where documented, `aws:SourceArn`)
 * against the confused deputy; under the stack's path, inside its permissions boundary.
 */
export function serviceRole(
  name: string,
  service: string,
  roles: RoleSettings,
  opts: pulumi.CustomResourceOptions,
  sourceArn?: pulumi.Input<string>,
): aws.iam.Role {
  const condition = {
    StringEquals: { "aws:SourceAccount": roles.accountId },
    ...(sourceArn === undefined ? {} : { ArnLike: { "aws:SourceArn": sourceArn } }),
  };
  return new aws.iam.Role(
    name,
    {
      path: roles.path,
      permissionsBoundary: roles.permissionsBoundary,
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            Condition: condition,
          },
        ],
      }),
    },
    opts,
  );
}
