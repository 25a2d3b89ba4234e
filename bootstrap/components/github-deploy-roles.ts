import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  deployPolicy,
  environmentSubject,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  githubTrustPolicy,
  previewPolicy,
  pullRequestSubject,
  type StateAccess,
} from "../policies";

export interface GithubDeployRolesArgs {
  githubOwner: string;
  githubRepo: string;
  /** Stacks of the main project, each deployed from the GitHub environment of the same name. */
  stacks: string[];
  projectName: string;
  stateBucketArn: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  existingOidcProviderArn?: string;
  previewRole: boolean;
}

/**
 * GitHub Actions' way into AWS without stored keys: the account's OIDC provider for
 * token.actions.githubusercontent.com, one deploy role per stack that only a job running in that
 * stack's GitHub environment of this repository can assume, and a read-only role for previews.
 */
export class GithubDeployRoles extends pulumi.ComponentResource {
  public readonly oidcProviderArn: pulumi.Output<string>;
  public readonly deployRoleArns: Record<string, pulumi.Output<string>> = {};
  public readonly previewRoleArn?: pulumi.Output<string>;

  constructor(name: string, args: GithubDeployRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:bootstrap:GithubDeployRoles", name, {}, opts);

    this.oidcProviderArn =
      args.existingOidcProviderArn !== undefined
        ? pulumi.output(args.existingOidcProviderArn)
        : new aws.iam.OpenIdConnectProvider(
            `${name}-oidc`,
            { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
            { parent: this },
          ).arn;

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const state = pulumi
      .all([args.stateBucketArn, args.kmsKeyArn])
      .apply(([bucketArn, kmsKeyArn]): StateAccess => ({
        bucketArn,
        kmsKeyArn,
        projectName: args.projectName,
      }));

    for (const stack of args.stacks) {
      const role = new aws.iam.Role(
        `${name}-deploy-${stack}`,
        {
          description: `picus: GitHub Actions deploys of the ${stack} stack (environment ${stack})`,
          // Two hours: a prod rollout (canary, termination wait) must not outlive its credentials.
          maxSessionDuration: 7200,
          assumeRolePolicy: this.oidcProviderArn.apply((arn) =>
            JSON.stringify(
              githubTrustPolicy(arn, environmentSubject(args.githubOwner, args.githubRepo, stack)),
            ),
          ),
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-deploy-${stack}-policy`,
        {
          role: role.id,
          policy: pulumi
            .all([identity.accountId, partition.partition, state])
            .apply(([accountId, partitionName, stateAccess]) =>
              JSON.stringify(
                deployPolicy({
                  accountId,
                  partition: partitionName,
                  stack,
                  otherStacks: args.stacks.filter((other) => other !== stack),
                  state: stateAccess,
                }),
              ),
            ),
        },
        { parent: this },
      );
      this.deployRoleArns[stack] = role.arn;
    }

    if (args.previewRole) {
      const role = new aws.iam.Role(
        `${name}-preview`,
        {
          description: "picus: read-only pulumi preview of every stack for pull requests",
          maxSessionDuration: 3600,
          assumeRolePolicy: this.oidcProviderArn.apply((arn) =>
            JSON.stringify(
              githubTrustPolicy(arn, pullRequestSubject(args.githubOwner, args.githubRepo)),
            ),
          ),
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-preview-policy`,
        {
          role: role.id,
          policy: state.apply((stateAccess) =>
            JSON.stringify(previewPolicy(stateAccess, args.stacks)),
          ),
        },
        { parent: this },
      );
      this.previewRoleArn = role.arn;
    }

    this.registerOutputs({
      oidcProviderArn: this.oidcProviderArn,
      deployRoleArns: this.deployRoleArns,
      previewRoleArn: this.previewRoleArn,
    });
  }
}
