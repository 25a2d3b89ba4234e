import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

export const MOCK_ACCOUNT = "123456789012";

function hex(seed: string, length: number): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** A deterministic stand-in for Pulumi auto-naming: `<logical name>-<7 hex>`. */
function physicalName(name: string): string {
  return `${name}-${hex(name, 7)}`;
}

type State = Record<string, unknown>;

/**
 * Mocks that answer the way AWS would: ARNs, names, DNS names and IDs in their real shapes,
 * deterministic so that two runs of the same stack print the same inventory.
 */
export class MockCloud implements pulumi.runtime.Mocks {
  /** What each resource was registered with and what the mocks answered, by `<type>::<name>`. */
  public readonly registered = new Map<string, { inputs: State; id: string; state: State }>();

  /**
   * `liveColor` is the target group the load balancer's listeners forward to in AWS: "green"
   * simulates a stack after an odd number of blue/green swaps.
   */
  constructor(
    private readonly region: string,
    private readonly liveColor: "blue" | "green" = "blue",
    /** The name of every hosted zone `route53.getZone` is asked about. */
    private readonly zoneName = "example.com",
  ) {}

  private arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${MOCK_ACCOUNT}:${resource}`;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: State } {
    const inputs = args.inputs as State;
    const named = (inputs.name as string | undefined) ?? physicalName(args.name);
    const computed = this.state(args.type, args.name, named, inputs);
    const id = (computed.id as string | undefined) ?? `${named}-id`;
    const state = { ...inputs, ...computed, id };
    this.registered.set(`${args.type}::${args.name}`, { inputs, id, state });
    return { id, state };
  }

  private state(type: string, logical: string, name: string, inputs: State): State {
    const region = this.region;
    switch (type) {
      case "awsx:ec2:Vpc": {
        const zones = (inputs.numberOfAvailabilityZones as number | undefined) ?? 3;
        const ids = (kind: string) =>
          Array.from({ length: zones }, (_, i) => `subnet-${kind}${i}${hex(logical, 8)}`);
        return {
          vpcId: `vpc-${hex(logical, 17)}`,
          publicSubnetIds: ids("a"),
          privateSubnetIds: ids("b"),
          isolatedSubnetIds: [],
        };
      }
      case "aws:ec2/securityGroup:SecurityGroup":
        return {
          id: `sg-${hex(logical, 17)}`,
          name,
          arn: this.arn("ec2", `security-group/sg-${hex(logical, 17)}`),
        };
      case "aws:lb/loadBalancer:LoadBalancer": {
        const suffix = `app/${name.slice(0, 32)}/${hex(logical, 16)}`;
        return {
          name,
          arn: this.arn("elasticloadbalancing", `loadbalancer/${suffix}`),
          arnSuffix: suffix,
          dnsName: `${name.slice(0, 32)}-${parseInt(hex(logical, 8), 16)}.${region}.elb.amazonaws.com`,
          zoneId: "Z32O12XQLNTSW2",
        };
      }
      case "aws:lb/targetGroup:TargetGroup": {
        const tgName = name.slice(0, 32);
        const suffix = `targetgroup/${tgName}/${hex(logical, 16)}`;
        return { name: tgName, arn: this.arn("elasticloadbalancing", suffix), arnSuffix: suffix };
      }
      case "aws:lb/listener:Listener":
        return {
          arn: this.arn(
            "elasticloadbalancing",
            `listener/app/edge/${hex(logical, 16)}/${hex(`${logical}l`, 16)}`,
          ),
        };
      case "aws:lb/listenerRule:ListenerRule":
        return {
          arn: this.arn("elasticloadbalancing", `listener-rule/app/edge/${hex(logical, 16)}`),
        };
      case "aws:dynamodb/table:Table":
        return { name, arn: this.arn("dynamodb", `table/${name}`) };
      case "aws:ecr/repository:Repository":
        return {
          name,
          arn: this.arn("ecr", `repository/${name}`),
          registryId: MOCK_ACCOUNT,
          repositoryUrl: `${MOCK_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${name}`,
        };
      case "docker-build:index:Image":
        return { id: `sha256:${hex(logical, 64)}`, digest: `sha256:${hex(logical, 64)}` };
      case "aws:ecs/cluster:Cluster":
        return { name, arn: this.arn("ecs", `cluster/${name}`) };
      case "aws:ecs/service:Service":
        return { name, arn: this.arn("ecs", `service/${name}`) };
      case "aws:ecs/taskDefinition:TaskDefinition":
        return {
          arn: this.arn("ecs", `task-definition/${inputs.family as string}:1`),
          arnWithoutRevision: this.arn("ecs", `task-definition/${inputs.family as string}`),
          revision: 1,
        };
      case "aws:iam/role:Role":
        return {
          name,
          arn: `arn:aws:iam::${MOCK_ACCOUNT}:role${(inputs.path as string) ?? "/"}${name}`,
        };
      case "aws:cloudwatch/logGroup:LogGroup":
        return { name, arn: this.arn("logs", `log-group:${name}`) };
      case "aws:lambda/function:Function":
        return { name, arn: this.arn("lambda", `function:${name}`) };
      case "aws:codedeploy/application:Application":
        return { name, arn: this.arn("codedeploy", `application:${name}`) };
      case "aws:codedeploy/deploymentGroup:DeploymentGroup":
        return {
          arn: this.arn("codedeploy", `deploymentgroup:${inputs.deploymentGroupName as string}`),
        };
      case "aws:cloudwatch/metricAlarm:MetricAlarm":
        return { name, arn: this.arn("cloudwatch", `alarm:${name}`) };
      case "aws:acm/certificate:Certificate": {
        const domainName = inputs.domainName as string;
        return {
          arn: this.arn("acm", `certificate/${hex(logical, 8)}-0000-4000-8000-${hex(logical, 12)}`),
          domainValidationOptions: [
            {
              domainName,
              resourceRecordName: `_${hex(domainName, 32)}.${domainName}.`,
              resourceRecordType: "CNAME",
              resourceRecordValue: `_${hex(`${domainName}v`, 32)}.acm-validations.aws.`,
            },
          ],
        };
      }
      case "aws:acm/certificateValidation:CertificateValidation":
        return { certificateArn: inputs.certificateArn };
      case "aws:route53/record:Record":
        return { id: `${inputs.zoneId as string}_${inputs.name as string}`, fqdn: inputs.name };
      case "aws:cognito/userPool:UserPool": {
        const id = `${region}_${hex(logical, 9)}`;
        return { id, name, arn: this.arn("cognito-idp", `userpool/${id}`) };
      }
      case "aws:cognito/userPoolClient:UserPoolClient":
        return { id: hex(logical, 26), clientSecret: `mock-client-secret-${hex(logical, 16)}` };
      case "aws:wafv2/webAcl:WebAcl":
        return {
          name,
          arn: this.arn("wafv2", `regional/webacl/${name}/${hex(logical, 8)}`),
        };
      case "aws:sns/topic:Topic":
        return { name, arn: this.arn("sns", name) };
      default:
        return { name, arn: this.arn(type.split(":")[1]?.split("/")[0] ?? "unknown", name) };
    }
  }

  call(args: pulumi.runtime.MockCallArgs): State {
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
      return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/ci`, userId: "ci" };
    }
    if (args.token === "aws:index/getPartition:getPartition") {
      return { partition: "aws", dnsSuffix: "amazonaws.com" };
    }
    if (args.token === "aws:lb/getListener:getListener") {
      // As CodeDeploy leaves a listener after a deployment: a weighted forward, no targetGroupArn.
      const arnOf = (color: string) =>
        this.registered.get(`aws:lb/targetGroup:TargetGroup::edge-${color}`)?.state.arn as string;
      const other = this.liveColor === "blue" ? "green" : "blue";
      const targetGroups = [
        { arn: arnOf(other), weight: 0 },
        { arn: arnOf(this.liveColor), weight: 100 },
      ];
      return {
        ...(args.inputs as State),
        defaultActions: [{ type: "forward", targetGroupArn: "", forwards: [{ targetGroups }] }],
      };
    }
    if (args.token === "aws:route53/getZone:getZone") {
      return { ...(args.inputs as State), name: `${this.zoneName}.` };
    }
    if (args.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken") {
      return {
        userName: "AWS",
        password: "mock-registry-password",
        proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.${this.region}.amazonaws.com`,
        authorizationToken: "mock-token",
      };
    }
    return args.inputs as State;
  }
}
