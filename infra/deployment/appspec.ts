import { createHash } from "node:crypto";

export interface EcsAppSpecTarget {
  taskDefinitionArn: string;
  containerName: string;
  containerPort: number;
  platformVersion?: string;
}

export interface AppSpecRevision {
  revisionType: "AppSpecContent";
  appSpecContent: { content: string; sha256: string };
}

/**
 * The ECS AppSpec CodeDeploy needs for a blue/green deployment. Network configuration is left
 * out on purpose: CodeDeploy then reuses the service's subnets and security groups.
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
