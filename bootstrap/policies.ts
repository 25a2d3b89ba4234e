/** The bootstrap's IAM documents. Why deploy roles get whole services on `*`: docs/delivery.md. */
import { accessLogBucketPrefix, boundaryPolicyArn, rolePath } from "../infra/naming";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
export const BOOTSTRAP_TAG = { key: "managed-by", value: "picus-bootstrap" };

type OneOrMany = string | string[];

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, OneOrMany>;
  Action?: OneOrMany;
  NotAction?: OneOrMany;
  Resource?: OneOrMany;
  Condition?: Record<string, Record<string, OneOrMany>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

type Condition = PolicyStatement["Condition"];
const statement =
  (Effect: "Allow" | "Deny", actionKey: "Action" | "NotAction" = "Action") =>
  (Sid: string, actions: OneOrMany, Resource: OneOrMany, Condition?: Condition) => ({
    Sid,
    Effect,
    [actionKey]: actions,
    Resource,
    ...(Condition && { Condition }),
  });
const allow = statement("Allow");
const deny = statement("Deny");
const denyAllBut = statement("Deny", "NotAction");
const policy = (Statement: PolicyStatement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement,
});

/** `{ ecs: "Describe* List*" }` → `["ecs:Describe*", "ecs:List*"]`. */
const actions = (table: Record<string, string>) =>
  Object.entries(table).flatMap(([service, names]) =>
    names.split(" ").map((name) => `${service}:${name}`),
  );

/** Trust for one repository's OIDC tokens with exactly one claim (no wildcards). */
export function githubTrustPolicy(providerArn: string, repository: string, claim: string) {
  return policy([
    {
      Effect: "Allow",
      Principal: { Federated: providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: `repo:${repository}:${claim}`,
        },
      },
    },
  ]);
}

export interface StateAccess {
  bucketArn: string;
  kmsKeyArn: string;
  projectName: string;
}

const STATE_BUCKET_READS = actions({ s3: "ListBucket GetBucketLocation GetBucketVersioning" });
const STATE_KEY_USE = actions({ kms: "Encrypt Decrypt GenerateDataKey DescribeKey" });

/**
 * The DIY backend keeps a stack under `.pulumi/stacks/<project>/<stack>.json` and its history,
 * backups and locks under `.pulumi/{history,backups,locks/<org>}/<project>/<stack>/`.
 */
function stateStatements(state: StateAccess, stack: string, readOnly: boolean) {
  const { bucketArn, projectName } = state;
  const objects = [
    `${bucketArn}/.pulumi/*/${projectName}/${stack}.json*`,
    `${bucketArn}/.pulumi/*/${projectName}/${stack}/*`,
  ];
  const locks = `${bucketArn}/.pulumi/locks/*/${projectName}/${stack}/*`;
  return [
    allow("ListStateBucket", STATE_BUCKET_READS, bucketArn),
    allow("ReadBackendMetadata", "s3:GetObject", `${bucketArn}/.pulumi/meta.yaml`),
    ...(readOnly
      ? [
          allow("ReadStackState", "s3:GetObject", objects),
          allow("TakePreviewLocks", actions({ s3: "PutObject DeleteObject" }), locks),
        ]
      : [
          allow(
            "ReadWriteStackState",
            actions({ s3: "GetObject PutObject DeleteObject" }),
            objects,
          ),
        ]),
    allow("UseSecretsKey", STATE_KEY_USE, state.kmsKeyArn),
  ];
}

/** Services the main program manages: full control, because Pulumi owns their whole lifecycle. */
const DEPLOY_SERVICE_ACTIONS = [
  ...["ec2", "elasticloadbalancing", "ecs", "ecr", "dynamodb", "lambda", "logs", "cloudwatch"],
  ...["sns", "codedeploy", "application-autoscaling", "cognito-idp", "acm", "wafv2"],
].map((service) => `${service}:*`);

/** Read-only calls a preview (and the program's data sources) make. */
const PREVIEW_READS = {
  ec2: "Describe*",
  elasticloadbalancing: "Describe*",
  ecs: "Describe* List*",
  // The program reads a registry login when it builds the image (no picus:image pinned); the
  // token alone pulls nothing without ecr:BatchGetImage, which this role does not have.
  ecr: "Describe* GetAuthorizationToken GetLifecyclePolicy GetRepositoryPolicy ListTagsForResource",
  dynamodb: "Describe* ListTagsOfResource",
  lambda:
    "GetFunction GetFunctionConfiguration GetFunctionConcurrency GetPolicy ListTags ListVersionsByFunction",
  logs: "Describe* ListTagsForResource",
  cloudwatch: "Describe* GetDashboard ListTagsForResource",
  sns: "GetTopicAttributes GetSubscriptionAttributes ListSubscriptionsByTopic ListTagsForResource",
  codedeploy: "Get* List*",
  "application-autoscaling": "Describe*",
  acm: "DescribeCertificate ListTagsForCertificate",
  "cognito-idp":
    "DescribeUserPool DescribeUserPoolDomain DescribeResourceServer ListTagsForResource",
  wafv2: "GetWebACL GetLoggingConfiguration GetWebACLForResource ListTagsForResource",
  route53: "GetHostedZone ListResourceRecordSets ListTagsForResource",
  iam: "GetRole GetRolePolicy ListRolePolicies ListAttachedRolePolicies GetPolicy GetPolicyVersion",
  sts: "GetCallerIdentity",
};

/** What copying an image out of another stack's repository needs. */
const ECR_PULL_ACTIONS = actions({
  ecr: "BatchCheckLayerAvailability BatchGetImage DescribeImages DescribeRepositories GetDownloadUrlForLayer",
});

/** Each managed service's tagging action, and its untagging action where it has one. */
const TAGGING: [tag: string, untag?: string][] = [
  ["ec2:CreateTags", "ec2:DeleteTags"],
  ["acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"],
  ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
  ["iam:TagRole", "iam:UntagRole"],
  ["s3:PutBucketTagging"],
  ["logs:TagLogGroup", "logs:UntagLogGroup"],
  ...[
    ...["ecs", "ecr", "dynamodb", "lambda", "logs", "cloudwatch", "sns", "cognito-idp", "wafv2"],
    ...["codedeploy", "application-autoscaling"],
  ].map((service): [string, string] => [`${service}:TagResource`, `${service}:UntagResource`]),
];
const TAG_ACTIONS = TAGGING.map(([tag]) => tag);
const UNTAG_ACTIONS = TAGGING.flatMap(([, untag]) => untag ?? []);

/** What using (not changing) the state bucket and key takes. */
const STATE_USE_ACTIONS = [
  ...STATE_BUCKET_READS,
  ...STATE_KEY_USE,
  ...actions({ iam: "Get* List*" }),
];

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
export function workloadBoundary({ accountId, partition, projectName, stack }: StackScope) {
  const arn = (service: string, resource: string) =>
    `arn:${partition}:${service}:*:${accountId}:${resource}`;
  const thisStack = {
    StringEqualsIfExists: {
      "aws:ResourceTag/stack": stack,
      "aws:ResourceTag/project": projectName,
    },
  };
  return policy([
    allow(
      "ThisStacksTable",
      actions({ dynamodb: "GetItem PutItem DeleteItem Scan DescribeTable" }),
      arn("dynamodb", "table/*"),
      thisStack,
    ),
    allow(
      "WriteLogs",
      actions({ logs: "CreateLogStream PutLogEvents" }),
      arn("logs", "log-group:*"),
    ),
    allow(
      "PullImages",
      actions({ ecr: "BatchCheckLayerAvailability BatchGetImage GetDownloadUrlForLayer" }),
      arn("ecr", "repository/*"),
    ),
    allow(
      "ResourcelessReadsAndTelemetry",
      actions({
        ecr: "GetAuthorizationToken",
        xray: "PutTraceSegments PutTelemetryRecords",
        cloudwatch: "DescribeAlarms",
        elasticloadbalancing: "DescribeListeners DescribeRules DescribeTargetGroups",
      }),
      "*",
    ),
    allow(
      "ShiftThisStacksTraffic",
      actions({
        ecs: "DescribeServices CreateTaskSet UpdateServicePrimaryTaskSet DeleteTaskSet",
        elasticloadbalancing: "ModifyListener ModifyRule",
      }),
      "*",
      thisStack,
    ),
    allow(
      "PassThisStacksTaskRoles",
      "iam:PassRole",
      `arn:${partition}:iam::${accountId}:role${rolePath(projectName, stack)}*`,
      { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    ),
  ]);
}

export interface DeployPolicyArgs extends StackScope {
  otherStacks: string[];
  state: StateAccess;
  /** The bootstrap's roles, OIDC provider and boundaries: no deploy role may change them. */
  protectedArns: string[];
}

/** What one stack's deploy role may do: its own state, its own resources, nothing of the others. */
export function deployPolicy(args: DeployPolicyArgs) {
  const { accountId, partition, stack, projectName } = args;
  const iam = `arn:${partition}:iam::${accountId}`;
  const stackRoles = `${iam}:role${rolePath(projectName, stack)}*`;
  const zones = `arn:${partition}:route53:::hostedzone/*`;
  const logBuckets = `arn:${partition}:s3:::${accessLogBucketPrefix(projectName, stack)}*`;
  const tagged = { "iam:ResourceTag/stack": stack, "iam:ResourceTag/project": projectName };
  const requestTags = { "aws:RequestTag/stack": stack, "aws:RequestTag/project": projectName };
  const withBoundary = {
    "iam:PermissionsBoundary": boundaryPolicyArn(partition, accountId, projectName, stack),
  };
  const bootstrap = (Sid: string, Resource: OneOrMany, Condition?: Condition) =>
    denyAllBut(Sid, STATE_USE_ACTIONS, Resource, Condition);
  return policy([
    ...stateStatements(args.state, stack, false),
    allow("ManageStackServices", DEPLOY_SERVICE_ACTIONS, "*"),
    allow("ManageAccessLogBuckets", "s3:*", [logBuckets, `${logBuckets}/*`]),
    allow("ReadHostedZones", actions({ route53: PREVIEW_READS.route53 }), zones),
    allow("FollowDnsChanges", "route53:GetChange", `arn:${partition}:route53:::change/*`),
    // Records carry no tags: only the types a stack declares (its alias, its certificate's
    // validation record), never NS, SOA, MX or TXT.
    allow("ChangeOnlyAddressAndAliasRecords", "route53:ChangeResourceRecordSets", zones, {
      "ForAllValues:StringEquals": {
        "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "CNAME"],
      },
      Null: { "route53:ChangeResourceRecordSetsRecordTypes": "false" },
    }),
    allow("WhoAmI", ["sts:GetCallerIdentity"], "*"),
    allow(
      "ReadRoles",
      [
        ...actions({ iam: "GetRole GetRolePolicy ListRolePolicies ListAttachedRolePolicies" }),
        ...actions({ iam: "ListInstanceProfilesForRole GetPolicy GetPolicyVersion" }),
      ],
      [`${iam}:role/*`, `${iam}:policy/*`, `arn:${partition}:iam::aws:policy/*`],
    ),
    allow("CreateRolesOfThisStackWithinTheBoundary", "iam:CreateRole", stackRoles, {
      StringEquals: { ...withBoundary, ...requestTags },
    }),
    allow(
      "WriteRolePoliciesWithinTheBoundary",
      actions({ iam: "PutRolePolicy PutRolePermissionsBoundary" }),
      stackRoles,
      { StringEquals: { ...withBoundary, ...tagged } },
    ),
    allow(
      "ChangeRolesOfThisStack",
      actions({ iam: "UpdateRole UpdateAssumeRolePolicy TagRole UntagRole" }),
      stackRoles,
      { StringEquals: tagged },
    ),
    allow("TagNewRolesOfThisStack", "iam:TagRole", stackRoles, { StringEquals: requestTags }),
    // Also the roles this stack made before roles had a path: replacing them deletes them.
    allow(
      "DeleteRolesOfThisStack",
      actions({ iam: "DeleteRole DeleteRolePolicy DetachRolePolicy" }),
      `${iam}:role/*`,
      { StringEquals: tagged },
    ),
    allow("PassRolesOfThisStackToPicusServices", "iam:PassRole", stackRoles, {
      StringEquals: {
        "iam:PassedToService": ["ecs-tasks", "lambda", "codedeploy"].map(
          (s) => `${s}.amazonaws.com`,
        ),
      },
    }),
    allow(
      "CreateServiceLinkedRoles",
      "iam:CreateServiceLinkedRole",
      `${iam}:role/aws-service-role/*`,
      {
        StringEquals: {
          "iam:AWSServiceName": ["ecs", "elasticloadbalancing", "ecs.application-autoscaling"].map(
            (s) => `${s}.amazonaws.com`,
          ),
        },
      },
    ),
    deny(
      "EveryRoleKeepsTheBoundary",
      actions({ iam: "CreateRole PutRolePolicy AttachRolePolicy PutRolePermissionsBoundary" }),
      "*",
      { StringNotEquals: withBoundary },
    ),
    deny(
      "NeverDropABoundary",
      actions({ iam: "DeleteRolePermissionsBoundary CreatePolicyVersion" }),
      "*",
    ),
    deny("TagOnlyThisStacksResources", [...TAG_ACTIONS, ...UNTAG_ACTIONS], "*", {
      StringNotEquals: { "aws:ResourceTag/stack": stack },
      Null: { "aws:ResourceTag/stack": "false" },
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
    // Promotion reads the image from the previous stack's repository: pulling stays allowed.
    ...(args.otherStacks.length === 0
      ? []
      : [
          denyAllBut("KeepOffOtherStacks", ECR_PULL_ACTIONS, "*", {
            StringEquals: {
              "aws:ResourceTag/project": projectName,
              "aws:ResourceTag/stack": args.otherStacks,
            },
          }),
        ]),
  ]);
}

/** Pull-request previews: read the stack's state and describe its resources, change nothing. */
export function previewPolicy(state: StateAccess, stacks: string[]) {
  return policy([
    ...stacks.flatMap((stack) =>
      stateStatements(state, stack, true).map((statement) => ({
        ...statement,
        Sid: `${statement.Sid}${stack.replace(/-/g, "")}`,
      })),
    ),
    allow("DescribeResources", actions(PREVIEW_READS), "*"),
  ]);
}

const SSE = "s3:x-amz-server-side-encryption";
const SSE_KMS_KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id";

/**
 * TLS only, and no object written with another key or encryption type. Pulumi's S3 backend names
 * no encryption (the bucket's default applies), so each Deny needs its key present: a negated
 * operator is true when the key is absent.
 */
export function stateBucketPolicy(bucketArn: string, kmsKeyArn: string) {
  const objects = `${bucketArn}/*`;
  return policy(
    [
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
    ].map((statement) => ({ ...statement, Principal: { AWS: "*" } })),
  );
}
