import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
  Sid: string;
  Action: string[];
  Resource: pulumi.Input<pulumi.Input<string>[]>;
}

/** An identity policy that only allows: each statement names its actions and resources. */
export function allowPolicy(statements: Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: statements.map((statement) => ({ Effect: "Allow", ...statement })),
  });
}

/** A trust policy letting one AWS service assume the role. */
export function serviceTrustPolicy(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

export function serviceRole(
  name: string,
  service: string,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  return new aws.iam.Role(name, { assumeRolePolicy: serviceTrustPolicy(service) }, opts);
}
