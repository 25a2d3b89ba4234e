import type { ResourceValidationArgs } from "@pulumi/policy";
import { runStack, type StackRun } from "../testing/run-stack";
import { policies, rules, type Props } from "./rules";

function violations(type: string, props: Props): string[] {
  return rules.filter((rule) => rule.types.includes(type)).flatMap((rule) => rule.check(props));
}

const policy = (statements: object[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";

describe("policy rules", () => {
  it("rejects wildcard and NotAction IAM actions", () => {
    expect(
      violations(ROLE_POLICY, {
        policy: policy([{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }]),
      }),
    ).toEqual(['wildcard action "s3:*"']);
    expect(
      violations(ROLE_POLICY, {
        policy: policy([{ Effect: "Allow", NotAction: ["iam:*"], Resource: "arn:x" }]),
      }),
    ).toContain("NotAction grants everything not listed");
  });

  it('allows "*" resources only for actions without resource-level permissions', () => {
    expect(
      violations(ROLE_POLICY, {
        policy: policy([
          { Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
        ]),
      }),
    ).toEqual([]);
    expect(
      violations(ROLE_POLICY, {
        policy: policy([{ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "*" }]),
      }),
    ).toEqual(['"*" resource for dynamodb:GetItem']);
  });

  it("opens only 80 and 443 to the internet", () => {
    const rule = (fromPort: number, cidrIpv4: string) => ({
      ipProtocol: "tcp",
      fromPort,
      toPort: fromPort,
      cidrIpv4,
    });
    expect(violations(INGRESS, rule(443, "0.0.0.0/0"))).toEqual([]);
    expect(violations(INGRESS, rule(3000, "0.0.0.0/0"))).toEqual([
      "ports 3000-3000 open to the internet",
    ]);
    expect(violations(INGRESS, rule(3000, "10.0.0.0/16"))).toEqual([]);
    expect(violations(INGRESS, { ipProtocol: "-1", cidrIpv6: "::/0" })).toHaveLength(1);
    expect(
      violations("aws:ec2/securityGroup:SecurityGroup", {
        ingress: [{ fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
      }),
    ).toHaveLength(1);
  });

  it("keeps ECS services off public IPs", () => {
    expect(
      violations("aws:ecs/service:Service", { networkConfiguration: { assignPublicIp: true } }),
    ).toHaveLength(1);
    expect(
      violations("aws:ecs/service:Service", { networkConfiguration: { assignPublicIp: false } }),
    ).toEqual([]);
  });

  it("requires non-root, read-only, unprivileged containers", () => {
    const container = { name: "api", user: "1000:1000", readonlyRootFilesystem: true };
    expect(violations(TASK, { containerDefinitions: JSON.stringify([container]) })).toEqual([]);
    expect(
      violations(TASK, { containerDefinitions: JSON.stringify([{ ...container, user: "root" }]) }),
    ).toEqual(['api: runs as root (set "user")']);
    expect(
      violations(TASK, {
        containerDefinitions: JSON.stringify([{ name: "api", privileged: true }]),
      }),
    ).toHaveLength(3);
  });

  it("requires encryption and PITR on tables, immutable scanned repositories, log retention", () => {
    expect(violations("aws:dynamodb/table:Table", {})).toEqual([
      "server-side encryption is off",
      "point-in-time recovery is off",
    ]);
    expect(
      violations("aws:ecr/repository:Repository", { imageTagMutability: "MUTABLE" }),
    ).toHaveLength(2);
    expect(violations("aws:cloudwatch/logGroup:LogGroup", {})).toEqual(["no retention period"]);
  });

  it("requires a source ARN on service-principal invoke permissions", () => {
    const permission = {
      action: "lambda:InvokeFunction",
      principal: "elasticloadbalancing.amazonaws.com",
    };
    expect(violations("aws:lambda/permission:Permission", permission)).toHaveLength(1);
    expect(
      violations("aws:lambda/permission:Permission", {
        ...permission,
        sourceArn: "arn:aws:elasticloadbalancing:...",
      }),
    ).toEqual([]);
  });

  it("requires header hygiene on ALBs and TLS 1.2+ on HTTPS listeners", () => {
    expect(
      violations("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "application" }),
    ).toHaveLength(1);
    expect(
      violations("aws:lb/listener:Listener", {
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-2016-08",
      }),
    ).toHaveLength(1);
    expect(
      violations("aws:lb/listener:Listener", {
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      }),
    ).toEqual([]);
  });

  it("reports through the Pulumi policy interface, as mandatory policies", () => {
    const reported: string[] = [];
    const args = {
      type: "aws:cloudwatch/logGroup:LogGroup",
      props: {},
      urn: "urn:x",
      name: "logs",
    } as unknown as ResourceValidationArgs;
    for (const p of policies()) {
      expect(p.enforcementLevel).toBe("mandatory");
      void (p.validateResource as (a: ResourceValidationArgs, r: (m: string) => void) => void)(
        args,
        (m) => reported.push(`${p.name}: ${m}`),
      );
    }
    expect(reported).toEqual(["log-retention: no retention period"]);
  });
});

describe("the stacks under the policy pack", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack("prod", () => import("../index"));
  });

  it("declare no violation", () => {
    const found = run.resources.flatMap((resource) =>
      violations(resource.type, resource.inputs).map(
        (message) => `${resource.type} ${resource.name}: ${message}`,
      ),
    );
    expect(found).toEqual([]);
    expect(run.resources.length).toBeGreaterThan(40);
  });
});
