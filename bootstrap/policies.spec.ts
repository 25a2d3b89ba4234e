import {
  deployPolicy,
  stateBucketPolicy,
  workloadBoundary,
  type PolicyStatement,
} from "./policies";
import { evaluate, type Request } from "./testing/evaluate";

const BUCKET = "arn:aws:s3:::picus-pulumi-state";
const STATE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/state";
const SSE = "s3:x-amz-server-side-encryption";
const SSE_KMS_KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id";

type RequestContext = Record<string, string>;

/**
 * IAM's documented rules for the operators the bucket policy uses: a key absent from the request
 * makes a matching operator false and a negated one true; `...IfExists` is true when the key is
 * absent; `Null: "false"` holds only when the key is present. Operators and keys are ANDed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
function conditionHolds(statement: PolicyStatement, context: RequestContext): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      switch (operator) {
        case "Bool":
          return actual === expected;
        case "Null":
          return (actual === undefined) === (expected === "true");
        case "StringNotEquals":
          return actual === undefined || actual !== expected;
        case "StringNotEqualsIfExists":
          return actual === undefined || actual !== expected;
        default:
          throw new Error(`the test does not model ${operator}`);
      }
    }),
  );
}

function deniesPutObject(context: RequestContext): string[] {
  return stateBucketPolicy(BUCKET, STATE_KEY)
    .Statement.filter(
      (statement) =>
        statement.Effect === "Deny" &&
        [statement.Action].flat().some((action) => action === "s3:PutObject" || action === "s3:*"),
    )
    .filter((statement) => conditionHolds(statement, { "aws:SecureTransport": "true", ...context }))
    .map((statement) => statement.Sid ?? "(no Sid)");
}

describe("stateBucketPolicy", () => {
  it("allows a write that names no encryption, as Pulumi's S3 backend sends it", () => {
    expect(deniesPutObject({})).toEqual([]);
  });

  it("allows a write that names SSE-KMS with the state key", () => {
    expect(deniesPutObject({ [SSE]: "aws:kms", [SSE_KMS_KEY_ID]: STATE_KEY })).toEqual([]);
  });

  it("denies a write with another KMS key", () => {
    expect(deniesPutObject({ [SSE]: "aws:kms", [SSE_KMS_KEY_ID]: `${STATE_KEY}-other` })).toEqual([
      "DenyOtherEncryptionKeys",
    ]);
  });

  it("denies a write with S3-managed keys instead of KMS", () => {
    expect(deniesPutObject({ [SSE]: "AES256" })).toEqual(["DenyOtherEncryptionTypes"]);
  });

  it("denies plain HTTP", () => {
    expect(deniesPutObject({ "aws:SecureTransport": "false" })).toEqual(["DenyInsecureTransport"]);
  });
});

const ACCOUNT = "123456789012";
const ROLES = `arn:aws:iam::${ACCOUNT}:role`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/picus/dev/picus-dev-workload-boundary`;
const PROD_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/picus/prod/picus-prod-workload-boundary`;
const PROD_DEPLOY_ROLE = `${ROLES}/github-deploy-prod-1a2b3c4`;
const BOOTSTRAP_TAGS = {
  "aws:ResourceTag/managed-by": "picus-bootstrap",
  "iam:ResourceTag/managed-by": "picus-bootstrap",
};
const DEV_TAGS = {
  "aws:RequestTag/stack": "dev",
  "aws:RequestTag/project": "picus",
  "aws:TagKeys": ["project", "stack", "owner"],
};
const taggedAs = (stack: string) => ({
  "aws:ResourceTag/stack": stack,
  "aws:ResourceTag/project": "picus",
  "iam:ResourceTag/stack": stack,
  "iam:ResourceTag/project": "picus",
});

const POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123";
const PROD_POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_XyZ789";
const ACL = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/firewall-acl-1/0f1e";
const PROD_ACL = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/firewall-acl-2/9a8b";
const CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c";
const ZONE = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";

const devDeploy = deployPolicy({
  accountId: ACCOUNT,
  partition: "aws",
  projectName: "picus",
  stack: "dev",
  otherStacks: ["prod"],
  state: { bucketArn: BUCKET, kmsKeyArn: STATE_KEY, projectName: "picus" },
  protectedArns: [`${ROLES}/github-deploy-dev-9f8e7d6`, PROD_DEPLOY_ROLE, BOUNDARY, PROD_BOUNDARY],
});

describe("a dev deploy role, evaluated on attacks", () => {
  it.each<[string, Request]>([
    [
      "tags the prod deploy role as dev",
      {
        action: "iam:TagRole",
        resource: PROD_DEPLOY_ROLE,
        context: { ...DEV_TAGS, ...BOOTSTRAP_TAGS },
      },
    ],
    [
      "rewrites the prod deploy role's policy",
      { action: "iam:PutRolePolicy", resource: PROD_DEPLOY_ROLE, context: BOOTSTRAP_TAGS },
    ],
    [
      "rewrites a prod workload role",
      {
        action: "iam:PutRolePolicy",
        resource: `${ROLES}/picus/prod/api-task-role-1`,
        context: { ...taggedAs("prod"), "iam:PermissionsBoundary": PROD_BOUNDARY },
      },
    ],
    [
      "retags a prod workload role as dev",
      {
        action: "iam:TagRole",
        resource: `${ROLES}/picus/prod/api-task-role-1`,
        context: { ...taggedAs("prod"), ...DEV_TAGS },
      },
    ],
    [
      "creates a role without the boundary",
      { action: "iam:CreateRole", resource: `${ROLES}/picus/dev/escape`, context: DEV_TAGS },
    ],
    [
      "creates a role with the boundary outside the stack's path",
      {
        action: "iam:CreateRole",
        resource: `${ROLES}/escape`,
        context: { ...DEV_TAGS, "iam:PermissionsBoundary": BOUNDARY },
      },
    ],
    [
      "attaches AdministratorAccess to its own role",
      {
        action: "iam:AttachRolePolicy",
        resource: `${ROLES}/picus/dev/api-task-role-1`,
        context: {
          ...taggedAs("dev"),
          "iam:PermissionsBoundary": BOUNDARY,
          "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess",
        },
      },
    ],
    [
      "passes a role outside its path to Lambda",
      {
        action: "iam:PassRole",
        resource: `${ROLES}/admin`,
        context: { "iam:PassedToService": "lambda.amazonaws.com" },
      },
    ],
    [
      "passes a prod role to Lambda",
      {
        action: "iam:PassRole",
        resource: `${ROLES}/picus/prod/delete-item-role-1`,
        context: { "iam:PassedToService": "lambda.amazonaws.com" },
      },
    ],
    [
      "passes its own role to EC2",
      {
        action: "iam:PassRole",
        resource: `${ROLES}/picus/dev/api-task-role-1`,
        context: { "iam:PassedToService": "ec2.amazonaws.com" },
      },
    ],
    [
      "deletes a role's boundary",
      {
        action: "iam:DeleteRolePermissionsBoundary",
        resource: `${ROLES}/picus/dev/api-task-role-1`,
        context: taggedAs("dev"),
      },
    ],
    [
      "rewrites its boundary",
      { action: "iam:CreatePolicyVersion", resource: BOUNDARY, context: BOOTSTRAP_TAGS },
    ],
    ["replaces the state bucket policy", { action: "s3:PutBucketPolicy", resource: BUCKET }],
    ["deletes the state bucket policy", { action: "s3:DeleteBucketPolicy", resource: BUCKET }],
    [
      "schedules the state key's deletion",
      { action: "kms:ScheduleKeyDeletion", resource: STATE_KEY },
    ],
    [
      "reads prod's state",
      { action: "s3:GetObject", resource: `${BUCKET}/.pulumi/stacks/picus/prod.json` },
    ],
    [
      "removes the stack tag from its own resource to escape the stack deny",
      {
        action: "ec2:DeleteTags",
        resource: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1",
        context: { ...taggedAs("dev"), "aws:TagKeys": ["stack"] },
      },
    ],
    [
      "reads a prod app client's secret",
      {
        action: "cognito-idp:DescribeUserPoolClient",
        resource: PROD_POOL,
        context: taggedAs("prod"),
      },
    ],
    [
      "deletes prod's web ACL",
      { action: "wafv2:DeleteWebACL", resource: PROD_ACL, context: taggedAs("prod") },
    ],
    [
      "deletes prod's certificate",
      { action: "acm:DeleteCertificate", resource: CERTIFICATE, context: taggedAs("prod") },
    ],
    [
      "redelegates a hosted zone",
      {
        action: "route53:ChangeResourceRecordSets",
        resource: ZONE,
        context: { "route53:ChangeResourceRecordSetsRecordTypes": ["NS"] },
      },
    ],
    [
      "slips a TXT record in with its alias",
      {
        action: "route53:ChangeResourceRecordSets",
        resource: ZONE,
        context: { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "TXT"] },
      },
    ],
    [
      "tags a prod resource",
      {
        action: "ec2:CreateTags",
        resource: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-2",
        context: { ...taggedAs("prod"), ...DEV_TAGS },
      },
    ],
  ])("denies: %s", (_, request) => {
    expect(evaluate(devDeploy, request)).not.toBe("Allow");
  });

  it("denies changing the bootstrap and the boundaries explicitly, whatever else is allowed", () => {
    for (const [action, resource] of [
      ["s3:PutBucketPolicy", BUCKET],
      ["s3:DeleteBucket", BUCKET],
      ["kms:ScheduleKeyDeletion", STATE_KEY],
      ["kms:PutKeyPolicy", STATE_KEY],
      ["iam:UpdateAssumeRolePolicy", PROD_DEPLOY_ROLE],
      ["iam:DeleteRolePermissionsBoundary", `${ROLES}/picus/dev/api-task-role-1`],
    ]) {
      expect(evaluate(devDeploy, { action, resource })).toBe("ExplicitDeny");
    }
  });
});

describe("a dev deploy role, evaluated on what pulumi up does", () => {
  const devRole = `${ROLES}/picus/dev/api-task-role-1`;
  it.each<[string, Request]>([
    [
      "creates a security group",
      {
        action: "ec2:CreateSecurityGroup",
        resource: "arn:aws:ec2:eu-west-1:123456789012:security-group/*",
        context: DEV_TAGS,
      },
    ],
    [
      "tags it on creation",
      {
        action: "ec2:CreateTags",
        resource: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-3",
        context: DEV_TAGS,
      },
    ],
    [
      "changes its owner tag",
      {
        action: "ec2:CreateTags",
        resource: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-3",
        context: { ...taggedAs("dev"), "aws:TagKeys": ["owner"] },
      },
    ],
    [
      "creates a role in its path with its boundary",
      {
        action: "iam:CreateRole",
        resource: devRole,
        context: { ...DEV_TAGS, "iam:PermissionsBoundary": BOUNDARY },
      },
    ],
    ["tags the new role", { action: "iam:TagRole", resource: devRole, context: DEV_TAGS }],
    [
      "writes the role's policy",
      {
        action: "iam:PutRolePolicy",
        resource: devRole,
        context: { ...taggedAs("dev"), "iam:PermissionsBoundary": BOUNDARY },
      },
    ],
    [
      "passes it to ECS tasks",
      {
        action: "iam:PassRole",
        resource: devRole,
        context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
      },
    ],
    [
      "passes it to CodeDeploy",
      {
        action: "iam:PassRole",
        resource: devRole,
        context: { "iam:PassedToService": "codedeploy.amazonaws.com" },
      },
    ],
    [
      "deletes a role it made before roles had a path",
      {
        action: "iam:DeleteRole",
        resource: `${ROLES}/api-task-role-5e6f7a8`,
        context: taggedAs("dev"),
      },
    ],
    [
      "writes its state",
      { action: "s3:PutObject", resource: `${BUCKET}/.pulumi/stacks/picus/dev.json` },
    ],
    [
      "decrypts with the state key",
      { action: "kms:Decrypt", resource: STATE_KEY, context: BOOTSTRAP_TAGS },
    ],
    [
      "creates its access-log bucket",
      { action: "s3:CreateBucket", resource: "arn:aws:s3:::picus-dev-alb-logs-20250101" },
    ],
    [
      "sets that bucket's policy",
      { action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::picus-dev-alb-logs-20250101" },
    ],
    [
      "starts a CodeDeploy deployment",
      {
        action: "codedeploy:CreateDeployment",
        resource: "arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:a/b",
        context: taggedAs("dev"),
      },
    ],
    [
      "creates its user pool",
      { action: "cognito-idp:CreateUserPool", resource: "*", context: DEV_TAGS },
    ],
    [
      "creates an app client and reads its secret",
      {
        action: "cognito-idp:DescribeUserPoolClient",
        resource: POOL,
        context: taggedAs("dev"),
      },
    ],
    [
      "requests its certificate",
      { action: "acm:RequestCertificate", resource: "*", context: DEV_TAGS },
    ],
    [
      "writes the certificate's validation record",
      {
        action: "route53:ChangeResourceRecordSets",
        resource: ZONE,
        context: { "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"] },
      },
    ],
    [
      "points its name at the load balancer",
      {
        action: "route53:ChangeResourceRecordSets",
        resource: ZONE,
        context: { "route53:ChangeResourceRecordSetsRecordTypes": ["A"] },
      },
    ],
    [
      "waits for the DNS change",
      { action: "route53:GetChange", resource: "arn:aws:route53:::change/C2682N5HXP0BZ4" },
    ],
    ["creates its web ACL", { action: "wafv2:CreateWebACL", resource: ACL, context: DEV_TAGS }],
    [
      "associates it with the load balancer",
      { action: "wafv2:AssociateWebACL", resource: ACL, context: taggedAs("dev") },
    ],
    [
      "sends its logs to the WAF log group",
      { action: "wafv2:PutLoggingConfiguration", resource: ACL, context: taggedAs("dev") },
    ],
    [
      "creates the WAF log group",
      {
        action: "logs:CreateLogGroup",
        resource: "arn:aws:logs:eu-west-1:123456789012:log-group:aws-waf-logs-picus-dev",
        context: DEV_TAGS,
      },
    ],
    ["lets WAF deliver to it", { action: "logs:PutResourcePolicy", resource: "*" }],
    [
      "pulls the image promoted from another stack",
      {
        action: "ecr:BatchGetImage",
        resource: "arn:aws:ecr:eu-west-1:123456789012:repository/r",
        context: taggedAs("prod"),
      },
    ],
  ])("allows: %s", (_, request) => {
    expect(evaluate(devDeploy, request)).toBe("Allow");
  });
});

describe("the workload boundary of dev", () => {
  const boundary = workloadBoundary({
    accountId: ACCOUNT,
    partition: "aws",
    projectName: "picus",
    stack: "dev",
  });
  const table = "arn:aws:dynamodb:eu-west-1:123456789012:table/data-items-1";

  it("lets a dev role use dev's table but not prod's", () => {
    expect(
      evaluate(boundary, { action: "dynamodb:GetItem", resource: table, context: taggedAs("dev") }),
    ).toBe("Allow");
    expect(
      evaluate(boundary, {
        action: "dynamodb:GetItem",
        resource: table,
        context: taggedAs("prod"),
      }),
    ).not.toBe("Allow");
  });

  it("lets a role write X-Ray traces, and no other X-Ray action", () => {
    for (const action of ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]) {
      expect(evaluate(boundary, { action, resource: "*" })).toBe("Allow");
    }
    for (const action of [
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "xray:GetTraceSummaries",
    ]) {
      expect(evaluate(boundary, { action, resource: "*" })).not.toBe("Allow");
    }
  });

  it("caps a role whatever its own policy says", () => {
    for (const request of [
      { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/x` },
      { action: "s3:GetObject", resource: `${BUCKET}/.pulumi/stacks/picus/prod.json` },
      {
        action: "elasticloadbalancing:ModifyListener",
        resource: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/p/1/2",
        context: taggedAs("prod"),
      },
      {
        action: "iam:PassRole",
        resource: `${ROLES}/picus/prod/api-task-role-1`,
        context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
      },
    ]) {
      expect(evaluate(boundary, request)).not.toBe("Allow");
    }
  });
});
