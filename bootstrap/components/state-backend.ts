import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { stateBucketPolicy } from "../policies";

export interface StateBackendArgs {
  /** Marks every resource of the bootstrap; deploy roles may not touch what carries it. */
  tags: Record<string, string>;
}

/**
 * Where the main project's Pulumi state lives: a private, versioned S3 bucket encrypted with a
 * customer-managed KMS key, which is also the stacks' secrets provider (`awskms://`).
 */
export class StateBackend extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly kmsAliasName: pulumi.Output<string>;

  constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:bootstrap:StateBackend", name, {}, opts);
    const child = { parent: this, protect: true };

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: "picus: Pulumi state encryption and stack secrets",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: args.tags,
      },
      child,
    );
    const alias = new aws.kms.Alias(
      `${name}-key-alias`,
      { name: "alias/picus-pulumi", targetKeyId: key.keyId },
      { parent: this },
    );

    const bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { bucketPrefix: "picus-pulumi-state-", forceDestroy: false, tags: args.tags },
      child,
    );
    const ownership = new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: key.arn,
            },
            bucketKeyEnabled: true,
          },
        ],
      },
      { parent: this },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-old-state-versions",
            status: "Enabled",
            filter: {},
            // A superseded version stays 90 days: time to roll back a bad state write.
            noncurrentVersionExpiration: { noncurrentDays: 90 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: pulumi
          .all([bucket.arn, key.arn])
          .apply(([bucketArn, keyArn]) => JSON.stringify(stateBucketPolicy(bucketArn, keyArn))),
      },
      { parent: this, dependsOn: [publicAccess, ownership] },
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.kmsKeyArn = key.arn;
    this.kmsAliasName = alias.name;
    this.registerOutputs({
      bucketName: this.bucketName,
      kmsKeyArn: this.kmsKeyArn,
      kmsAliasName: this.kmsAliasName,
    });
  }
}
