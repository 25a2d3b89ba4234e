import type { ResourceValidationPolicy } from "@pulumi/policy";

/** Resource properties as a policy sees them: the engine's inputs, untyped JSON. */
export type Props = Record<string, unknown>;

/** A check over one resource type's properties; returns one message per violation. */
export interface Rule {
  name: string;
  description: string;
  types: string[];
  check(props: Props): string[];
}

/**
 * Actions AWS only authorises on `"Resource": "*"` (no resource-level permissions), plus the alarm
 * read CodeDeploy polls, which AWS's own CodeDeploy policies grant on `*`.
 */
export const RESOURCELESS_ACTIONS = new Set([
  "ecr:GetAuthorizationToken",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetGroups",
  "cloudwatch:DescribeAlarms",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
]);
const PUBLIC_CIDRS = new Set(["0.0.0.0/0", "::/0"]);
const PUBLIC_PORTS = new Set([80, 443]);
const ROOT_USERS = /^(root|0)(:|$)/;
const TLS_POLICIES = /^ELBSecurityPolicy-(TLS13-1-2|TLS-1-2|FS-1-2)/;

interface Statement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function parse(value: unknown): unknown {
  return typeof value === "string" ? (JSON.parse(value) as unknown) : value;
}

function statements(policy: unknown): Statement[] {
  const document = parse(policy) as { Statement?: Statement | Statement[] } | undefined;
  return list(document?.Statement);
}

const IAM_POLICY_TYPES = [
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];

export const rules: Rule[] = [
  {
    name: "iam-no-wildcard-actions",
    description: "IAM policies name every action: no `*`, no `service:*`, no NotAction.",
    types: IAM_POLICY_TYPES,
    check: (props) =>
      statements(props.policy).flatMap((statement) => [
        ...(statement.NotAction !== undefined ? ["NotAction grants everything not listed"] : []),
        ...list(statement.Action)
          .filter((action) => action.includes("*"))
          .map((action) => `wildcard action "${action}"`),
      ]),
  },
  {
    name: "iam-no-wildcard-resources",
    description:
      'IAM policies allow `"Resource": "*"` only for actions that have no narrower resource.',
    types: IAM_POLICY_TYPES,
    check: (props) =>
      statements(props.policy)
        .filter((statement) => statement.Effect !== "Deny")
        .flatMap((statement) => {
          const wildcard =
            list(statement.Resource).includes("*") || statement.NotResource !== undefined;
          const narrowable = list(statement.Action).filter(
            (action) => !RESOURCELESS_ACTIONS.has(action),
          );
          return wildcard && narrowable.length > 0
            ? [`"*" resource for ${narrowable.join(", ")}`]
            : [];
        }),
  },
  {
    name: "no-public-ingress-except-web",
    description: "Only ports 80 and 443 (the ALB's listeners) may be open to the internet.",
    types: [
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "aws:ec2/securityGroupRule:SecurityGroupRule",
      "aws:ec2/securityGroup:SecurityGroup",
    ],
    check: (props) => {
      const rules =
        props.ingress !== undefined
          ? list(props.ingress as Props[])
          : props.type === "egress"
            ? []
            : [props];
      return rules.flatMap((rule) => {
        const cidrs = [
          rule.cidrIpv4,
          rule.cidrIpv6,
          ...list(rule.cidrBlocks as string[] | undefined),
          ...list(rule.ipv6CidrBlocks as string[] | undefined),
        ];
        const open = cidrs.some((cidr) => typeof cidr === "string" && PUBLIC_CIDRS.has(cidr));
        const from = rule.fromPort as number | undefined;
        const to = rule.toPort as number | undefined;
        const web = from !== undefined && from === to && PUBLIC_PORTS.has(from);
        return open && !web ? [`ports ${from ?? "all"}-${to ?? "all"} open to the internet`] : [];
      });
    },
  },
  {
    name: "ecs-service-private",
    description: "ECS services run without public IPs.",
    types: ["aws:ecs/service:Service"],
    check: (props) => {
      const network = props.networkConfiguration as Props | undefined;
      return network?.assignPublicIp === true ? ["assignPublicIp is true"] : [];
    },
  },
  {
    name: "ecs-container-hardening",
    description:
      "Containers run as a non-root user on a read-only root filesystem, never privileged.",
    types: ["aws:ecs/taskDefinition:TaskDefinition"],
    check: (props) =>
      list(parse(props.containerDefinitions) as Props[]).flatMap((container) => {
        const name = String(container.name);
        const user = container.user as string | undefined;
        return [
          ...(user === undefined || ROOT_USERS.test(user)
            ? [`${name}: runs as root (set "user")`]
            : []),
          ...(container.readonlyRootFilesystem !== true
            ? [`${name}: root filesystem is writable`]
            : []),
          ...(container.privileged === true ? [`${name}: privileged`] : []),
        ];
      }),
  },
  {
    name: "dynamodb-encrypted-recoverable",
    description: "DynamoDB tables use KMS server-side encryption and point-in-time recovery.",
    types: ["aws:dynamodb/table:Table"],
    check: (props) => [
      ...((props.serverSideEncryption as Props | undefined)?.enabled !== true
        ? ["server-side encryption is off"]
        : []),
      ...((props.pointInTimeRecovery as Props | undefined)?.enabled !== true
        ? ["point-in-time recovery is off"]
        : []),
    ],
  },
  {
    name: "ecr-immutable-scanned",
    description: "ECR repositories have immutable tags and scan on push.",
    types: ["aws:ecr/repository:Repository"],
    check: (props) => [
      ...(props.imageTagMutability !== "IMMUTABLE" ? ["tags are mutable"] : []),
      ...((props.imageScanningConfiguration as Props | undefined)?.scanOnPush !== true
        ? ["scan on push is off"]
        : []),
    ],
  },
  {
    name: "log-retention",
    description: "Log groups expire their events.",
    types: ["aws:cloudwatch/logGroup:LogGroup"],
    check: (props) =>
      typeof props.retentionInDays === "number" && props.retentionInDays > 0
        ? []
        : ["no retention period"],
  },
  {
    name: "lambda-permission-scoped",
    description: "Service principals may invoke a function only from a named source ARN.",
    types: ["aws:lambda/permission:Permission"],
    check: (props) =>
      typeof props.principal === "string" &&
      props.principal.endsWith(".amazonaws.com") &&
      !props.sourceArn
        ? [`${props.principal} may invoke from any source`]
        : [],
  },
  {
    name: "alb-hardening",
    description: "Load balancers drop invalid headers; HTTPS listeners use a TLS 1.2+ policy.",
    types: ["aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener"],
    check: (props) => {
      if (props.protocol === "HTTPS") {
        return TLS_POLICIES.test(String(props.sslPolicy))
          ? []
          : [`weak TLS policy ${String(props.sslPolicy)}`];
      }
      if (props.loadBalancerType === "application") {
        return props.dropInvalidHeaderFields === true
          ? []
          : ["invalid header fields are forwarded"];
      }
      return [];
    },
  },
];

/** The rules as Pulumi policies; every one is mandatory. */
export function policies(): ResourceValidationPolicy[] {
  return rules.map((rule) => ({
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (!rule.types.includes(args.type)) return;
      for (const message of rule.check(args.props)) reportViolation(message);
    },
  }));
}
