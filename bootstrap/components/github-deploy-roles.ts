import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { boundaryPolicyName, rolePath } from "../../infra/naming";
import type { BootstrapSettings } from "../config";
import {
  deployPolicy,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  githubTrustPolicy,
  previewPolicy,
  workloadBoundary,
} from "../policies";

export interface GithubDeployRolesArgs extends BootstrapSettings {
  stateBucketArn: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  /** Marks every resource of the bootstrap; deploy roles may not touch what carries it. */
  tags: Record<string, string>;
}

/**
 * GitHub Actions' way into AWS without stored keys: the OIDC provider, per stack a deploy role only
 * that stack's GitHub environment can assume and the boundary of the roles it creates, and a
 * read-only role for previews.
 */
export class GithubDeployRoles extends pulumi.ComponentResource {
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly deployRoleArns: Record<string, pulumi.Output<string>> = {};
  public readonly boundaryArns: Record<string, pulumi.Output<string>> = {};
  public readonly previewRoleArn?: pulumi.Output<string>;

  constructor(name: string, args: GithubDeployRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:bootstrap:GithubDeployRoles", name, {}, opts);
    const { projectName, stacks, tags } = args;
    const parent = { parent: this };

    this.oidcProviderArn =
      args.existingOidcProviderArn !== undefined
        ? pulumi.output(args.existingOidcProviderArn)
        : new aws.iam.OpenIdConnectProvider(
            `${name}-oidc`,
            { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE], tags },
            parent,
          ).arn;

    const identity = aws.getCallerIdentityOutput({}, parent);
    const { partition } = aws.getPartitionOutput({}, parent);
    const scope = (stack: string) =>
      pulumi.output({ accountId: identity.accountId, partition, projectName, stack });
    const state = pulumi.output({
      bucketArn: args.stateBucketArn,
      kmsKeyArn: args.kmsKeyArn,
      projectName,
    });
    const trust = (claim: string) =>
      this.oidcProviderArn.apply((arn) =>
        JSON.stringify(githubTrustPolicy(arn, `${args.githubOwner}/${args.githubRepo}`, claim)),
      );

    const roles: Record<string, aws.iam.Role> = {};
    for (const stack of stacks) {
      this.boundaryArns[stack] = new aws.iam.Policy(
        `${name}-boundary-${stack}`,
        {
          name: boundaryPolicyName(projectName, stack),
          path: rolePath(projectName, stack),
          description: `picus: the most any role of the ${stack} stack may do`,
          policy: scope(stack).apply((s) => JSON.stringify(workloadBoundary(s))),
          tags,
        },
        parent,
      ).arn;
      roles[stack] = new aws.iam.Role(
        `${name}-deploy-${stack}`,
        {
          description: `picus: GitHub Actions deploys of the ${stack} stack (environment ${stack})`,
          // Two hours: a prod rollout (canary, termination wait) must not outlive its credentials.
          maxSessionDuration: 7200,
          assumeRolePolicy: trust(`environment:${stack}`),
          tags,
        },
        parent,
      );
      this.deployRoleArns[stack] = roles[stack].arn;
    }

    if (args.previewRole) {
      const role = new aws.iam.Role(
        `${name}-preview`,
        {
          description: "picus: read-only pulumi preview of every stack for pull requests",
          maxSessionDuration: 3600,
          assumeRolePolicy: trust("pull_request"),
          tags,
        },
        parent,
      );
      new aws.iam.RolePolicy(
        `${name}-preview-policy`,
        { role: role.id, policy: state.apply((s) => JSON.stringify(previewPolicy(s, stacks))) },
        parent,
      );
      this.previewRoleArn = role.arn;
    }

    const protectedArns = pulumi.all([
      this.oidcProviderArn,
      ...Object.values(this.deployRoleArns),
      ...Object.values(this.boundaryArns),
      ...(this.previewRoleArn === undefined ? [] : [this.previewRoleArn]),
    ]);
    for (const stack of stacks) {
      const otherStacks = stacks.filter((other) => other !== stack);
      const policy = pulumi
        .all([scope(stack), state, protectedArns])
        .apply(([stackScope, stateAccess, arns]) =>
          JSON.stringify(
            deployPolicy({ ...stackScope, otherStacks, state: stateAccess, protectedArns: arns }),
          ),
        );
      new aws.iam.RolePolicy(
        `${name}-deploy-${stack}-policy`,
        { role: roles[stack].id, policy },
        parent,
      );
    }

    this.registerOutputs({
      oidcProviderArn: this.oidcProviderArn,
      deployRoleArns: this.deployRoleArns,
      boundaryArns: this.boundaryArns,
      previewRoleArn: this.previewRoleArn,
    });
  }
}
