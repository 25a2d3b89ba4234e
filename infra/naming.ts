import * as pulumi from "@pulumi/pulumi";

/** `<project>-<stack>` of the running program: how its fixed resource names begin. */
export const stackPrefix = (): string => `${pulumi.getProject()}-${pulumi.getStack()}`;

/** Names the deploy roles (bootstrap/policies.ts) and the stacks (infra/) must agree on. */
export const rolePath = (project: string, stack: string): string => `/${project}/${stack}/`;

export const boundaryPolicyName = (project: string, stack: string): string =>
  `${project}-${stack}-workload-boundary`;

export const boundaryPolicyArn = (
  partition: string,
  account: string,
  project: string,
  stack: string,
) =>
  `arn:${partition}:iam::${account}:policy${rolePath(project, stack)}${boundaryPolicyName(project, stack)}`;

/** S3's `bucketPrefix` allows 37 characters; the provider appends a unique suffix. */
export const accessLogBucketPrefix = (project: string, stack: string): string =>
  `${project}-${stack}-alb-logs-`;
