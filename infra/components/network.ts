import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { NatStrategy } from "../config";

type Peer = { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> };
/** Rules of one security group, each for one TCP port, from or to a CIDR or another group. */
export const tcpRules =
  (securityGroupId: pulumi.Input<string>, parent: pulumi.Resource) =>
  (direction: "in" | "out", name: string, port: number, peer: Peer) => {
    const Rule =
      direction === "in" ? aws.vpc.SecurityGroupIngressRule : aws.vpc.SecurityGroupEgressRule;
    const rule = { securityGroupId, ipProtocol: "tcp", fromPort: port, toPort: port, ...peer };
    return new Rule(name, rule, { parent });
  };

export interface NetworkArgs {
  availabilityZones: number;
  natStrategy: NatStrategy;
  region: string;
}

/**
 * A VPC over several AZs: public subnets (ALB, NAT) and private subnets (tasks), NAT gateways per
 * the stack's strategy, and a DynamoDB gateway endpoint so table traffic never crosses the NAT.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly publicSubnetIds: pulumi.Output<string[]>;
  public readonly privateSubnetIds: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:network:Network", name, {}, opts);

    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: "10.0.0.0/16",
        numberOfAvailabilityZones: args.availabilityZones,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
        subnetSpecs: [
          { type: awsx.ec2.SubnetType.Public, cidrMask: 24 },
          { type: awsx.ec2.SubnetType.Private, cidrMask: 20 },
        ],
        natGateways: { strategy: args.natStrategy },
        // `Auto` attaches the gateway endpoint to every route table the VPC creates.
        vpcEndpointStrategy: awsx.ec2.VpcEndpointStrategy.Auto,
        vpcEndpointSpecs: [
          { serviceName: `com.amazonaws.${args.region}.dynamodb`, vpcEndpointType: "Gateway" },
        ],
      },
      { parent: this },
    );

    this.vpcId = vpc.vpcId;
    this.publicSubnetIds = vpc.publicSubnetIds;
    this.privateSubnetIds = vpc.privateSubnetIds;
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
    });
  }
}
