/**
 * The bootstrap's IAM documents, as functions of ARNs so tests can evaluate them. Why deploy roles
 * get whole services on `*`, and what narrows them: docs/delivery.md.
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

type Condition = PolicyStatement["Condition"];
const statement =
  (Effect: "Allow" | "Deny") =>
  (Sid: string, Action: string | string[], Resource: string | string[], Condition?: Condition) =>
    ({ Sid, Effect, Action, Resource, ...(Condition && { Condition }) }) as PolicyStatement;
const allow = statement("Allow");
const deny = statement("Deny");
const denyAllBut = (
  Sid: string,
  NotAction: string[],
  Resource: string | string[],
  Condition?: Condition,
) =>
  ({
    Sid,
    Effect: "Deny",
    NotAction,
    Resource,
    ...(Condition && { Condition }),
  }) as PolicyStatement;
/** `of("ecs", "Describe*", "List*")` → `["ecs:Describe*", "ecs:List*"]`. */
const of = (service: string, ...names: string[]) => names.map((name) => `${service}:${name}`);

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
  const objects = stackStateObjects(state.bucketArn, state.projectName, stack);
  const locks = `${state.bucketArn}/.pulumi/locks/*/${state.projectName}/${stack}/*`;
  return [
    allow("ListStateBucket", STATE_BUCKET_READS, state.bucketArn),
    allow("ReadBackendMetadata", "s3:GetObject", `${state.bucketArn}/.pulumi/meta.yaml`),
    ...(readOnly
      ? [
          allow("ReadStackState", "s3:GetObject", objects),
          allow("TakePreviewLocks", of("s3", "PutObject", "DeleteObject"), locks),
        ]
      : [
          allow("ReadWriteStackState", of("s3", "GetObject", "PutObject", "DeleteObject"), objects),
        ]),
    allow("UseSecretsKey", STATE_KEY_USE, state.kmsKeyArn),
  ];
}

const STATE_BUCKET_READS = of("s3", "ListBucket", "GetBucketLocation", "GetBucketVersioning");
const STATE_KEY_USE = of("kms", "Encrypt", "Decrypt", "GenerateDataKey", "DescribeKey");

/** Services the main program manages: full control, because Pulumi owns their whole lifecycle. */
export const DEPLOY_SERVICE_ACTIONS = [
  ...["ec2", "elasticloadbalancing", "ecs", "ecr", "dynamodb", "lambda", "logs", "cloudwatch"],
  ...["sns", "codedeploy", "application-autoscaling", "cognito-idp", "acm", "wafv2"],
].map((service) => `${service}:*`);

/**
 * Route 53 records carry no tags: a stack may read hosted zones and change only the record types
 * it declares (its alias and its certificate's validation record), never NS, SOA, MX or TXT.
 */
export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME"];
const DNS_READS = of("route53", "GetHostedZone", "ListResourceRecordSets", "ListTagsForResource");

/** Read-only calls a preview (and the program's data sources) make. */
export const PREVIEW_READ_ACTIONS = [
  ...of("ec2", "Describe*"),
  ...of("elasticloadbalancing", "Describe*"),
  ...of("ecs", "Describe*", "List*"),
  // The program reads a registry login when it builds the image (no picus:image pinned); the
  // token alone pulls nothing without ecr:BatchGetImage, which this role does not have.
  ...of("ecr", "Describe*", "GetAuthorizationToken", "GetLifecyclePolicy", "GetRepositoryPolicy"),
  ...of("ecr", "ListTagsForResource"),
  ...of("dynamodb", "Describe*", "ListTagsOfResource"),
  ...of("lambda", "GetFunction", "GetFunctionConfiguration", "GetFunctionConcurrency"),
  ...of("lambda", "GetPolicy", "ListTags", "ListVersionsByFunction"),
  ...of("logs", "Describe*", "ListTagsForResource"),
  ...of("cloudwatch", "Describe*", "GetDashboard", "ListTagsForResource"),
  ...of("sns", "GetTopicAttributes", "GetSubscriptionAttributes", "ListSubscriptionsByTopic"),
  ...of("sns", "ListTagsForResource"),
  ...of("codedeploy", "Get*", "List*"),
  ...of("application-autoscaling", "Describe*"),
  ...of("acm", "DescribeCertificate", "ListTagsForCertificate"),
  ...of("cognito-idp", "DescribeUserPool", "DescribeUserPoolDomain", "DescribeResourceServer"),
  ...of("cognito-idp", "ListTagsForResource"),
  ...of("wafv2", "GetWebACL", "GetLoggingConfiguration", "GetWebACLForResource"),
  ...of("wafv2", "ListTagsForResource"),
  ...DNS_READS,
  ...of("iam", "GetRole", "GetRolePolicy", "ListRolePolicies", "ListAttachedRolePolicies"),
  ...of("iam", "GetPolicy", "GetPolicyVersion"),
  ...of("sts", "GetCallerIdentity"),
];

/** What copying an image out of another stack's repository needs. */
export const ECR_PULL_ACTIONS = of(
  "ecr",
  "BatchCheckLayerAvailability",
  "BatchGetImage",
  "DescribeImages",
  "DescribeRepositories",
  "GetDownloadUrlForLayer",
);
export const PASS_ROLE_SERVICES = ["ecs-tasks", "lambda", "codedeploy"].map(
  (service) => `${service}.amazonaws.com`,
);
export const SERVICE_LINKED_ROLE_SERVICES = [
  "ecs.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
  "ecs.application-autoscaling.amazonaws.com",
];
const TAGGED_SERVICES = [
  ...["ecs", "ecr", "dynamodb", "lambda", "logs", "cloudwatch", "sns", "cognito-idp", "wafv2"],
];
/** Tagging and untagging in the services the program manages. */
export const TAG_ACTIONS = [
  ...of("ec2", "CreateTags"),
  ...of("acm", "AddTagsToCertificate"),
  ...of("elasticloadbalancing", "AddTags"),
  ...of("iam", "TagRole"),
  ...of("s3", "PutBucketTagging"),
  ...of("logs", "TagLogGroup"),
  ...[...TAGGED_SERVICES, "codedeploy", "application-autoscaling"].map((s) => `${s}:TagResource`),
];
export const UNTAG_ACTIONS = [
  ...of("ec2", "DeleteTags"),
  ...of("acm", "RemoveTagsFromCertificate"),
  ...of("elasticloadbalancing", "RemoveTags"),
  ...of("iam", "UntagRole"),
  ...of("logs", "UntagLogGroup"),
  ...[...TAGGED_SERVICES, "codedeploy", "application-autoscaling"].map((s) => `${s}:UntagResource`),
];
/** What using (not changing) the state bucket and key takes. */
const STATE_USE_ACTIONS = [...STATE_BUCKET_READS, ...STATE_KEY_USE, ...of("iam", "Get*", "List*")];
/** The tag every bootstrap resource carries. */
export const BOOTSTRAP_TAG = { key: "managed-by", value: "picus-bootstrap" };

export interface StackScope {
  accountId: string;
  partition: string;
  projectName: string;
  stack: string;
}

/**
 * The boundary of every role a stack's deploy role creates: the most a picus workload may do.
 * `...IfExists` keeps untagged resources usable (ECS task sets; tables without DynamoDB ABAC).
 */
export function workloadBoundary(scope: StackScope): PolicyDocument {
  const { accountId, partition, projectName, stack } = scope;
  const arn = (service: string, resource: string) =>
    `arn:${partition}:${service}:*:${accountId}:${resource}`;
  const thisStack = {
    StringEqualsIfExists: {
      "aws:ResourceTag/stack": stack,
      "aws:ResourceTag/project": projectName,
    },
  };
  return {
    Version: "2012-10-17",
    Statement: [
      allow(
        "ThisStacksTable",
        of("dynamodb", "GetItem", "PutItem", "DeleteItem", "Scan", "DescribeTable"),
        arn("dynamodb", "table/*"),
        thisStack,
      ),
      allow("WriteLogs", of("logs", "CreateLogStream", "PutLogEvents"), arn("logs", "log-group:*")),
      allow(
        "PullImages",
        of("ecr", "BatchCheckLayerAvailability", "BatchGetImage", "GetDownloadUrlForLayer"),
        arn("ecr", "repository/*"),
      ),
      allow(
        "ResourcelessReadsAndTelemetry",
        [
          ...of("ecr", "GetAuthorizationToken"),
          ...of("xray", "PutTraceSegments", "PutTelemetryRecords"),
          ...of("cloudwatch", "DescribeAlarms"),
          ...of(
            "elasticloadbalancing",
            "DescribeListeners",
            "DescribeRules",
            "DescribeTargetGroups",
          ),
        ],
        "*",
      ),
      allow(
        "ShiftThisStacksTraffic",
        [
          ...of("ecs", "DescribeServices", "CreateTaskSet", "UpdateServicePrimaryTaskSet"),
          ...of("ecs", "DeleteTaskSet"),
          ...of("elasticloadbalancing", "ModifyListener", "ModifyRule"),
        ],
        "*",
        thisStack,
      ),
      allow(
        "PassThisStacksTaskRoles",
        "iam:PassRole",
        `arn:${partition}:iam::${accountId}:role${rolePath(projectName, stack)}*`,
        { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      ),
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
  const tagged = { "iam:ResourceTag/stack": stack, "iam:ResourceTag/project": projectName };
  const requestTags = { "aws:RequestTag/stack": stack, "aws:RequestTag/project": projectName };
  const withBoundary = { "iam:PermissionsBoundary": boundary };
  const present = (key: string) => ({ Null: { [key]: "false" } });
  const bootstrap = (Sid: string, Resource: string | string[], Condition?: Condition) =>
    denyAllBut(Sid, STATE_USE_ACTIONS, Resource, Condition);
  const statements: PolicyStatement[] = [
    ...stateStatements(args.state, stack, false),
    allow("ManageStackServices", DEPLOY_SERVICE_ACTIONS, "*"),
    allow("ManageAccessLogBuckets", "s3:*", [logBuckets, `${logBuckets}/*`]),
    allow("ReadHostedZones", DNS_READS, `arn:${partition}:route53:::hostedzone/*`),
    allow("FollowDnsChanges", "route53:GetChange", `arn:${partition}:route53:::change/*`),
    allow(
      "ChangeOnlyAddressAndAliasRecords",
      "route53:ChangeResourceRecordSets",
      `arn:${partition}:route53:::hostedzone/*`,
      {
        "ForAllValues:StringEquals": {
          "route53:ChangeResourceRecordSetsRecordTypes": DNS_RECORD_TYPES,
        },
        Null: { "route53:ChangeResourceRecordSetsRecordTypes": "false" },
      },
    ),
    allow("WhoAmI", ["sts:GetCallerIdentity"], "*"),
    allow(
      "ReadRoles",
      [
        ...of("iam", "GetRole", "GetRolePolicy", "ListRolePolicies", "ListAttachedRolePolicies"),
        ...of("iam", "ListInstanceProfilesForRole", "GetPolicy", "GetPolicyVersion"),
      ],
      [`${iam}:role/*`, `${iam}:policy/*`, `arn:${partition}:iam::aws:policy/*`],
    ),
    allow("CreateRolesOfThisStackWithinTheBoundary", "iam:CreateRole", stackRoles, {
      StringEquals: { ...withBoundary, ...requestTags },
    }),
    allow(
      "WriteRolePoliciesWithinTheBoundary",
      of("iam", "PutRolePolicy", "PutRolePermissionsBoundary"),
      stackRoles,
      { StringEquals: { ...withBoundary, ...tagged } },
    ),
    allow(
      "ChangeRolesOfThisStack",
      of("iam", "UpdateRole", "UpdateAssumeRolePolicy", "TagRole", "UntagRole"),
      stackRoles,
      { StringEquals: tagged },
    ),
    allow("TagNewRolesOfThisStack", "iam:TagRole", stackRoles, { StringEquals: requestTags }),
    // Also the roles this stack made before roles had a path: replacing them deletes them.
    allow(
      "DeleteRolesOfThisStack",
      of("iam", "DeleteRole", "DeleteRolePolicy", "DetachRolePolicy"),
      `${iam}:role/*`,
      { StringEquals: tagged },
    ),
    allow("PassRolesOfThisStackToPicusServices", "iam:PassRole", stackRoles, {
      StringEquals: { "iam:PassedToService": PASS_ROLE_SERVICES },
    }),
    allow(
      "CreateServiceLinkedRoles",
      "iam:CreateServiceLinkedRole",
      `${iam}:role/aws-service-role/*`,
      {
        StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES },
      },
    ),
    deny(
      "EveryRoleKeepsTheBoundary",
      of("iam", "CreateRole", "PutRolePolicy", "AttachRolePolicy", "PutRolePermissionsBoundary"),
      "*",
      { StringNotEquals: withBoundary },
    ),
    deny(
      "NeverDropABoundary",
      of("iam", "DeleteRolePermissionsBoundary", "CreatePolicyVersion"),
      "*",
    ),
    deny("TagOnlyThisStacksResources", [...TAG_ACTIONS, ...UNTAG_ACTIONS], "*", {
      StringNotEquals: { "aws:ResourceTag/stack": stack },
      ...present("aws:ResourceTag/stack"),
    }),
    deny("KeepTheStackTags", UNTAG_ACTIONS, "*", {
      "ForAnyValue:StringEquals": { "aws:TagKeys": ["stack", "project"] },
    }),
    bootstrap("KeepOffTheBootstrap", [
      args.state.bucketArn,
      args.state.kmsKeyArn,
      ...args.protectedArns,
    ]),
    bootstrap("KeepOffTheBootstrapByTag", "*", {
      StringEquals: { [`aws:ResourceTag/${BOOTSTRAP_TAG.key}`]: BOOTSTRAP_TAG.value },
    }),
  ];
  if (args.otherStacks.length > 0) {
    // Promotion reads the image from the previous stack's repository: pulling stays allowed.
    statements.push(
      denyAllBut("KeepOffOtherStacks", ECR_PULL_ACTIONS, "*", {
        StringEquals: {
          "aws:ResourceTag/project": projectName,
          "aws:ResourceTag/stack": args.otherStacks,
        },
      }),
    );
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
  const anyone = (statement: PolicyStatement) => ({ ...statement, Principal: { AWS: "*" } });
  const objects = `${bucketArn}/*`;
  return {
    Version: "2012-10-17",
    Statement: [
      deny("DenyInsecureTransport", "s3:*", [bucketArn, objects], {
        Bool: { "aws:SecureTransport": "false" },
      }),
      deny("DenyOtherEncryptionKeys", "s3:PutObject", objects, {
        Null: { [SSE_KMS_KEY_ID]: "false" },
        StringNotEquals: { [SSE_KMS_KEY_ID]: kmsKeyArn },
      }),
      deny("DenyOtherEncryptionTypes", "s3:PutObject", objects, {
        Null: { [SSE]: "false" },
        StringNotEquals: { [SSE]: "aws:kms" },
      }),
    ].map(anyone),
  };
}
