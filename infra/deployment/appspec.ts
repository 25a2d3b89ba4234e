import { createHash } from "node:crypto";

/** Where the replacement task set runs (the service's awsvpc network configuration). */
export interface TaskNetwork {
  subnets: string[];
  securityGroups: string[];
  assignPublicIp: boolean;
}

export interface EcsAppSpecTarget {
  taskDefinitionArn: string;
  containerName: string;
  containerPort: number;
  platformVersion?: string;
  network?: TaskNetwork;
}

export interface AppSpecRevision {
  revisionType: "AppSpecContent";
  appSpecContent: { content: string; sha256: string };
}

/**
 * The ECS AppSpec CodeDeploy needs for a blue/green deployment. With `network`, the replacement
 * task set runs in those subnets and security groups: ECS refuses to change them on a
 * CODE_DEPLOY service in place, so a deployment is the only way they change. Without it,
 * CodeDeploy reuses the current ones.
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-resources.html
 */
export function buildEcsAppSpec(target: EcsAppSpecTarget): string {
  if (!Number.isInteger(target.containerPort) || target.containerPort <= 0) {
    throw new Error(`containerPort must be a positive integer, got ${target.containerPort}`);
  }
  const properties = {
    TaskDefinition: target.taskDefinitionArn,
    LoadBalancerInfo: {
      ContainerName: target.containerName,
      ContainerPort: target.containerPort,
    },
    ...(target.platformVersion ? { PlatformVersion: target.platformVersion } : {}),
    ...(target.network ? { NetworkConfiguration: networkConfiguration(target.network) } : {}),
  };
  return JSON.stringify({
    version: "0.0",
    Resources: [{ TargetService: { Type: "AWS::ECS::Service", Properties: properties } }],
  });
}

export function appSpecRevision(content: string): AppSpecRevision {
  const sha256 = createHash("sha256").update(content, "utf8").digest("hex");
  return { revisionType: "AppSpecContent", appSpecContent: { content, sha256 } };
}

/** CodeDeploy takes all three settings or none. */
function networkConfiguration(network: TaskNetwork) {
  if (network.subnets.length === 0 || network.securityGroups.length === 0) {
    throw new Error("network needs at least one subnet and one security group");
  }
  return {
    AwsvpcConfiguration: {
      Subnets: network.subnets,
      SecurityGroups: network.securityGroups,
      AssignPublicIp: network.assignPublicIp ? "ENABLED" : "DISABLED",
    },
  };
}
