/**
 * IAM policy documents of the bootstrap, as plain functions of ARNs so tests can read them whole.
 *
 * Where a statement is broad (service-level actions on `*`), it is because Pulumi creates, updates
 * and deletes resources whose names it generates, and most Describe/List/Create calls of those
 * services support no resource-level permission. What narrows them instead:
 * - each role can be assumed only by this repository's workflow running in its own GitHub environment;
 * - state and secrets access is scoped per stack (a dev deploy cannot read prod's state);
 * - an explicit deny on everything tagged with another stack of this project (the main program tags
 *   every resource with `project` and `stack` through the provider's default tags);
 * - IAM, the escalation path: roles only under the stack's path (`/picus/<stack>/`), only with the
 *   stack's permissions boundary (workloadBoundary), passed only to the services that run picus;
 * - tags: no retagging of another stack's resources, no removing the `stack` or `project` tag;
 * - an explicit deny on the bootstrap's own roles, OIDC provider, boundaries, bucket and key.
 */
import { accessLogBucketPrefix, boundaryPolicyArn, rolePath } from "../infra/naming";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** `repo:OWNER/REPO:environment:STACK` or `repo:OWNER/REPO:pull_request`. */
export type GithubSubject = string;

export function environmentSubject(
  owner: string,
  repo: string,
  environment: string,
): GithubSubject {
  return `repo:${owner}/${repo}:environment:${environment}`;
}

export function pullRequestSubject(owner: string, repo: string): GithubSubject {
  return `repo:${owner}/${repo}:pull_request`;
}

/** Trust for a role assumed through GitHub OIDC by exactly one token subject (no wildcards). */
export function githubTrustPolicy(providerArn: string, subject: GithubSubject): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subject,
          },
        },
      },
    ],
  };
}

export interface StateAccess {
  bucketArn: string;
  kmsKeyArn: string;
  projectName: string;
}

/**
 * The DIY backend keeps a stack under `.pulumi/stacks/<project>/<stack>.json` and its history,
 * backups and locks under `.pulumi/{history,backups,locks/<org>}/<project>/<stack>/`.
 */
export function stackStateObjects(bucketArn: string, projectName: string, stack: string): string[] {
  return [
    `${bucketArn}/.pulumi/*/${projectName}/${stack}.json*`,
    `${bucketArn}/.pulumi/*/${projectName}/${stack}/*`,
  ];
}

function stateStatements(state: StateAccess, stack: string, readOnly: boolean): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      Sid: "ListStateBucket",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetBucketVersioning"],
      Resource: state.bucketArn,
    },
    {
      Sid: "ReadBackendMetadata",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${state.bucketArn}/.pulumi/meta.yaml`,
    },
  ];
  if (readOnly) {
    statements.push(
      {
        Sid: "ReadStackState",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: stackStateObjects(state.bucketArn, state.projectName, stack),
      },
      {
        Sid: "TakePreviewLocks",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:DeleteObject"],
        Resource: `${state.bucketArn}/.pulumi/locks/*/${state.projectName}/${stack}/*`,
      },
    );
  } else {
    statements.push({
      Sid: "ReadWriteStackState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: stackStateObjects(state.bucketArn, state.projectName, stack),
    });
  }
  statements.push({
    Sid: "UseSecretsKey",
    Effect: "Allow",
    Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
    Resource: state.kmsKeyArn,
  });
  return statements;
}

/** Services the main program manages: full control, because Pulumi owns their whole lifecycle. */
export const DEPLOY_SERVICE_ACTIONS = [
  "ec2:*",
  "elasticloadbalancing:*",
  "ecs:*",
  "ecr:*",
  "dynamodb:*",
  "lambda:*",
  "logs:*",
  "cloudwatch:*",
  "sns:*",
  "codedeploy:*",
  "application-autoscaling:*",
];

/** Read-only calls a preview (and the program's data sources) make. */
export const PREVIEW_READ_ACTIONS = [
  "ec2:Describe*",
  "elasticloadbalancing:Describe*",
  "ecs:Describe*",
  "ecs:List*",
  "ecr:Describe*",
  // The program reads a registry login when it builds the image (no picus:image pinned); the
  // token alone pulls nothing without ecr:BatchGetImage, which this role does not have.
  "ecr:GetAuthorizationToken",
  "ecr:GetLifecyclePolicy",
  "ecr:GetRepositoryPolicy",
  "ecr:ListTagsForResource",
  "dynamodb:Describe*",
  "dynamodb:ListTagsOfResource",
  "lambda:GetFunction",
  "lambda:GetFunctionConfiguration",
  "lambda:GetFunctionConcurrency",
  "lambda:GetPolicy",
  "lambda:ListTags",
  "lambda:ListVersionsByFunction",
  "logs:Describe*",
  "logs:ListTagsForResource",
  "cloudwatch:Describe*",
  "cloudwatch:GetDashboard",
  "cloudwatch:ListTagsForResource",
  "sns:GetTopicAttributes",
  "sns:GetSubscriptionAttributes",
  "sns:ListSubscriptionsByTopic",
  "sns:ListTagsForResource",
  "codedeploy:Get*",
  "codedeploy:List*",
  "application-autoscaling:Describe*",
  "acm:DescribeCertificate",
  "iam:GetRole",
  "iam:GetRolePolicy",
  "iam:ListRolePolicies",
  "iam:ListAttachedRolePolicies",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
  "sts:GetCallerIdentity",
];

/** What copying an image out of another stack's repository needs. */
export const ECR_PULL_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:DescribeImages",
  "ecr:DescribeRepositories",
  "ecr:GetDownloadUrlForLayer",
];

export const PASS_ROLE_SERVICES = [
  "ecs-tasks.amazonaws.com",
  "lambda.amazonaws.com",
  "codedeploy.amazonaws.com",
];
export const SERVICE_LINKED_ROLE_SERVICES = [
  "ecs.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
  "ecs.application-autoscaling.amazonaws.com",
];
/** Tagging and untagging in the services the program manages. */
export const TAG_ACTIONS = [
  "ec2:CreateTags",
  "elasticloadbalancing:AddTags",
  "iam:TagRole",
  "s3:PutBucketTagging",
  "logs:TagLogGroup",
  ...["ecs", "ecr", "dynamodb", "lambda", "logs", "cloudwatch", "sns", "codedeploy"].map(
    (service) => `${service}:TagResource`,
  ),
  "application-autoscaling:TagResource",
];
export const UNTAG_ACTIONS = [
  "ec2:DeleteTags",
  "elasticloadbalancing:RemoveTags",
  "iam:UntagRole",
  "logs:UntagLogGroup",
  ...["ecs", "ecr", "dynamodb", "lambda", "logs", "cloudwatch", "sns", "codedeploy"].map(
    (service) => `${service}:UntagResource`,
  ),
  "application-autoscaling:UntagResource",
];
/** What using (not changing) the state bucket and key takes. */
const STATE_USE_ACTIONS = [
  "s3:ListBucket",
  "s3:GetBucketLocation",
  "s3:GetBucketVersioning",
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:GenerateDataKey",
  "kms:DescribeKey",
  "iam:Get*",
  "iam:List*",
];
/** The tag every bootstrap resource carries. */
export const BOOTSTRAP_TAG = { key: "managed-by", value: "picus-bootstrap" };

export interface StackScope {
  accountId: string;
  partition: string;
  projectName: string;
  stack: string;
}

/**
 * The permissions boundary of every role a stack's deploy role creates: the most any picus
 * workload may do (the service and function read and write that stack's table, write logs, pull
 * images, send telemetry; CodeDeploy shifts that stack's listeners and task sets). A role's own
 * policy narrows it further. `...IfExists` keeps a resource that carries no tags usable (ECS task
 * sets; DynamoDB tables while the account has not turned on DynamoDB ABAC), see docs/delivery.md.
 */
export function workloadBoundary(scope: StackScope): PolicyDocument {
  const { accountId, partition, projectName, stack } = scope;
  const thisStack = {
    StringEqualsIfExists: {
      "aws:ResourceTag/stack": stack,
      "aws:ResourceTag/project": projectName,
    },
  };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ThisStacksTable",
        Effect: "Allow",
        Action: [
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:DeleteItem",
          "dynamodb:Scan",
          "dynamodb:DescribeTable",
        ],
        Resource: `arn:${partition}:dynamodb:*:${accountId}:table/*`,
        Condition: thisStack,
      },
      {
        Sid: "WriteLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `arn:${partition}:logs:*:${accountId}:log-group:*`,
      },
      {
        Sid: "PullImages",
        Effect: "Allow",
        Action: [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
        ],
        Resource: `arn:${partition}:ecr:*:${accountId}:repository/*`,
      },
      {
        Sid: "ResourcelessReadsAndTelemetry",
        Effect: "Allow",
        Action: [
          "ecr:GetAuthorizationToken",
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "cloudwatch:DescribeAlarms",
          "elasticloadbalancing:DescribeListeners",
          "elasticloadbalancing:DescribeRules",
          "elasticloadbalancing:DescribeTargetGroups",
        ],
        Resource: "*",
      },
      {
        Sid: "ShiftThisStacksTraffic",
        Effect: "Allow",
        Action: [
          "ecs:DescribeServices",
          "ecs:CreateTaskSet",
          "ecs:UpdateServicePrimaryTaskSet",
          "ecs:DeleteTaskSet",
          "elasticloadbalancing:ModifyListener",
          "elasticloadbalancing:ModifyRule",
        ],
        Resource: "*",
        Condition: thisStack,
      },
      {
        Sid: "PassThisStacksTaskRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:${partition}:iam::${accountId}:role${rolePath(projectName, stack)}*`,
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
    ],
  };
}

export interface DeployPolicyArgs extends StackScope {
  otherStacks: string[];
  state: StateAccess;
  /** The bootstrap's roles, OIDC provider and boundaries: no deploy role may change them. */
  protectedArns: string[];
}

/** What one stack's deploy role may do: its own state, its own resources, nothing of the others. */
export function deployPolicy(args: DeployPolicyArgs): PolicyDocument {
  const { accountId, partition, stack, projectName } = args;
  const iam = `arn:${partition}:iam::${accountId}`;
  const stackRoles = `${iam}:role${rolePath(projectName, stack)}*`;
  const boundary = boundaryPolicyArn(partition, accountId, projectName, stack);
  const logBuckets = `arn:${partition}:s3:::${accessLogBucketPrefix(projectName, stack)}*`;
  const taggedForThisStack = {
    "iam:ResourceTag/stack": stack,
    "iam:ResourceTag/project": projectName,
  };
  const statements: PolicyStatement[] = [
    ...stateStatements(args.state, stack, false),
    {
      Sid: "ManageStackServices",
      Effect: "Allow",
      Action: DEPLOY_SERVICE_ACTIONS,
      Resource: "*",
    },
    {
      Sid: "ManageAccessLogBuckets",
      Effect: "Allow",
      Action: "s3:*",
      Resource: [logBuckets, `${logBuckets}/*`],
    },
    {
      Sid: "ReadCertificates",
      Effect: "Allow",
      Action: ["acm:DescribeCertificate"],
      Resource: "*",
    },
    { Sid: "WhoAmI", Effect: "Allow", Action: ["sts:GetCallerIdentity"], Resource: "*" },
    {
      Sid: "ReadRoles",
      Effect: "Allow",
      Action: [
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
      ],
      Resource: [`${iam}:role/*`, `${iam}:policy/*`, `arn:${partition}:iam::aws:policy/*`],
    },
    {
      Sid: "CreateRolesOfThisStackWithinTheBoundary",
      Effect: "Allow",
      Action: "iam:CreateRole",
      Resource: stackRoles,
      Condition: {
        StringEquals: {
          "iam:PermissionsBoundary": boundary,
          "aws:RequestTag/stack": stack,
          "aws:RequestTag/project": projectName,
        },
      },
    },
    {
      Sid: "WriteRolePoliciesWithinTheBoundary",
      Effect: "Allow",
      Action: ["iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"],
      Resource: stackRoles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": boundary, ...taggedForThisStack } },
    },
    {
      Sid: "ChangeRolesOfThisStack",
      Effect: "Allow",
      Action: ["iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole"],
      Resource: stackRoles,
      Condition: { StringEquals: taggedForThisStack },
    },
    {
      Sid: "TagNewRolesOfThisStack",
      Effect: "Allow",
      Action: "iam:TagRole",
      Resource: stackRoles,
      Condition: {
        StringEquals: { "aws:RequestTag/stack": stack, "aws:RequestTag/project": projectName },
      },
    },
    {
      // Also the roles this stack made before roles had a path: replacing them deletes them.
      Sid: "DeleteRolesOfThisStack",
      Effect: "Allow",
      Action: ["iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"],
      Resource: `${iam}:role/*`,
      Condition: { StringEquals: taggedForThisStack },
    },
    {
      Sid: "PassRolesOfThisStackToPicusServices",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: stackRoles,
      Condition: { StringEquals: { "iam:PassedToService": PASS_ROLE_SERVICES } },
    },
    {
      Sid: "CreateServiceLinkedRoles",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: `${iam}:role/aws-service-role/*`,
      Condition: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES } },
    },
    {
      Sid: "EveryRoleKeepsTheBoundary",
      Effect: "Deny",
      Action: [
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:PutRolePermissionsBoundary",
      ],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundary } },
    },
    {
      Sid: "NeverDropABoundary",
      Effect: "Deny",
      Action: ["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion"],
      Resource: "*",
    },
    {
      Sid: "TagOnlyThisStacksResources",
      Effect: "Deny",
      Action: [...TAG_ACTIONS, ...UNTAG_ACTIONS],
      Resource: "*",
      Condition: {
        StringNotEquals: { "aws:ResourceTag/stack": stack },
        Null: { "aws:ResourceTag/stack": "false" },
      },
    },
    {
      Sid: "NeverTagForAnotherStack",
      Effect: "Deny",
      Action: TAG_ACTIONS,
      Resource: "*",
      Condition: {
        StringNotEquals: { "aws:RequestTag/stack": stack },
        Null: { "aws:RequestTag/stack": "false" },
      },
    },
    {
      Sid: "KeepTheStackTags",
      Effect: "Deny",
      Action: UNTAG_ACTIONS,
      Resource: "*",
      Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["stack", "project"] } },
    },
    {
      Sid: "KeepOffTheBootstrap",
      Effect: "Deny",
      NotAction: STATE_USE_ACTIONS,
      Resource: [args.state.bucketArn, args.state.kmsKeyArn, ...args.protectedArns],
    },
    {
      Sid: "KeepOffTheBootstrapByTag",
      Effect: "Deny",
      NotAction: STATE_USE_ACTIONS,
      Resource: "*",
      Condition: {
        StringEquals: { [`aws:ResourceTag/${BOOTSTRAP_TAG.key}`]: BOOTSTRAP_TAG.value },
      },
    },
  ];
  if (args.otherStacks.length > 0) {
    statements.push({
      Sid: "KeepOffOtherStacks",
      Effect: "Deny",
      // Promotion reads the image from the previous stack's repository: pulling stays allowed.
      NotAction: ECR_PULL_ACTIONS,
      Resource: "*",
      Condition: {
        StringEquals: {
          "aws:ResourceTag/project": projectName,
          "aws:ResourceTag/stack": args.otherStacks,
        },
      },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Pull-request previews: read the stack's state and describe its resources, change nothing. */
export function previewPolicy(state: StateAccess, stacks: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      ...stacks.flatMap((stack) =>
        stateStatements(state, stack, true).map((statement) => ({
          ...statement,
          Sid:
            statement.Sid === undefined ? undefined : `${statement.Sid}${stack.replace(/-/g, "")}`,
        })),
      ),
      { Sid: "DescribeResources", Effect: "Allow", Action: PREVIEW_READ_ACTIONS, Resource: "*" },
    ],
  };
}

const SSE = "s3:x-amz-server-side-encryption";
const SSE_KMS_KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id";

/**
 * Bucket policy: TLS only, and no object written with another key or another kind of server-side
 * encryption. A write that names no encryption at all (Pulumi's S3 backend never does) is allowed
 * and gets the bucket's default, SSE-KMS with the state key. Each Deny therefore needs its key to
 * be present: a negated operator (and `...IfExists`) is true when the key is absent, which would
 * deny every plain write.
 */
export function stateBucketPolicy(bucketArn: string, kmsKeyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "DenyOtherEncryptionKeys",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:PutObject",
        Resource: `${bucketArn}/*`,
        Condition: {
          Null: { [SSE_KMS_KEY_ID]: "false" },
          StringNotEquals: { [SSE_KMS_KEY_ID]: kmsKeyArn },
        },
      },
      {
        Sid: "DenyOtherEncryptionTypes",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:PutObject",
        Resource: `${bucketArn}/*`,
        Condition: {
          Null: { [SSE]: "false" },
          StringNotEquals: { [SSE]: "aws:kms" },
        },
      },
    ],
  };
}
