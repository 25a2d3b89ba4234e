import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessLogBucketPrefix } from "../naming";

export interface AccessLogsArgs {
  region: string;
  accountId: pulumi.Input<string>;
  retentionDays: number;
  forceDestroy: boolean;
}

/**
 * The ELB account that writes access logs in regions opened before August 2022 (enable-access-
 * logging in the ALB guide); newer regions get the log-delivery service principal instead.
 */
const ELB_ACCOUNTS: Record<string, string> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
};

function logDeliveryPrincipal(region: string): Record<string, string> {
  const account = ELB_ACCOUNTS[region];
  const partition = region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return account === undefined
    ? { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }
    : { AWS: `arn:${partition}:iam::${account}:root` };
}

/**
 * A private bucket for the load balancer's access logs: SSE-S3 (the only encryption ALB log
 * delivery supports), expiring after the stack's retention. The load balancer must depend on the
 * returned policy: ELB checks that it may write when logging starts.
 */
export function accessLogBucket(name: string, args: AccessLogsArgs, parent: pulumi.Resource) {
  const child = { parent };
  const bucket = new aws.s3.Bucket(
    name,
    {
      bucketPrefix: accessLogBucketPrefix(pulumi.getProject(), pulumi.getStack()),
      forceDestroy: args.forceDestroy,
    },
    child,
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
    child,
  );
  const ownership = new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    child,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    },
    child,
  );
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: {},
          expiration: { days: args.retentionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    child,
  );
  const policy = new aws.s3.BucketPolicy(
    `${name}-policy`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ElbLogDelivery",
            Effect: "Allow",
            Principal: logDeliveryPrincipal(args.region),
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucket.arn}/AWSLogs/${args.accountId}/*`,
          },
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    },
    { parent, dependsOn: [publicAccess, ownership] },
  );
  return { bucketName: bucket.bucket, policy };
}
