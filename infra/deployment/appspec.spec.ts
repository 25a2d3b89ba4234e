import { createHash } from "node:crypto";
import { appSpecRevision, buildEcsAppSpec } from "./appspec";

const TASK_DEFINITION_ARN = "arn:aws:ecs:eu-west-1:123456789012:task-definition/picus-dev:7";

describe("buildEcsAppSpec", () => {
  it("targets the service with the task definition and the load balancer container", () => {
    const content = buildEcsAppSpec({
      taskDefinitionArn: TASK_DEFINITION_ARN,
      containerName: "api",
      containerPort: 3000,
    });

    expect(JSON.parse(content)).toEqual({
      version: "0.0",
      Resources: [
        {
          TargetService: {
            Type: "AWS::ECS::Service",
            Properties: {
              TaskDefinition: TASK_DEFINITION_ARN,
              LoadBalancerInfo: { ContainerName: "api", ContainerPort: 3000 },
            },
          },
        },
      ],
    });
  });

  it("adds the platform version only when one is given", () => {
    const content = buildEcsAppSpec({
      taskDefinitionArn: TASK_DEFINITION_ARN,
      containerName: "api",
      containerPort: 3000,
      platformVersion: "1.4.0",
    });

    const parsed = JSON.parse(content) as {
      Resources: [{ TargetService: { Properties: { PlatformVersion?: string } } }];
    };
    expect(parsed.Resources[0].TargetService.Properties.PlatformVersion).toBe("1.4.0");
  });

  it("places the replacement task set in the given subnets and security groups", () => {
    const content = buildEcsAppSpec({
      taskDefinitionArn: TASK_DEFINITION_ARN,
      containerName: "api",
      containerPort: 3000,
      network: {
        subnets: ["subnet-0a", "subnet-0b"],
        securityGroups: ["sg-01"],
        assignPublicIp: false,
      },
    });

    const parsed = JSON.parse(content) as {
      Resources: [{ TargetService: { Properties: { NetworkConfiguration?: unknown } } }];
    };
    expect(parsed.Resources[0].TargetService.Properties.NetworkConfiguration).toEqual({
      AwsvpcConfiguration: {
        Subnets: ["subnet-0a", "subnet-0b"],
        SecurityGroups: ["sg-01"],
        AssignPublicIp: "DISABLED",
      },
    });
  });

  it.each([
    [[], ["sg-01"]],
    [["subnet-0a"], []],
  ])("rejects a network without subnets %j or security groups %j", (subnets, securityGroups) => {
    expect(() =>
      buildEcsAppSpec({
        taskDefinitionArn: TASK_DEFINITION_ARN,
        containerName: "api",
        containerPort: 3000,
        network: { subnets, securityGroups, assignPublicIp: false },
      }),
    ).toThrow(/at least one subnet and one security group/);
  });

  it("is deterministic, so the same input always yields the same revision", () => {
    const target = {
      taskDefinitionArn: TASK_DEFINITION_ARN,
      containerName: "api",
      containerPort: 3000,
    };

    expect(buildEcsAppSpec(target)).toBe(buildEcsAppSpec({ ...target }));
  });

  it.each([0, -1, 3000.5, Number.NaN])("rejects container port %p", (containerPort) => {
    expect(() =>
      buildEcsAppSpec({
        taskDefinitionArn: TASK_DEFINITION_ARN,
        containerName: "api",
        containerPort,
      }),
    ).toThrow(/containerPort/);
  });
});

describe("appSpecRevision", () => {
  it("wraps the content as an AppSpecContent revision with its SHA-256", () => {
    const content = '{"version":"0.0"}';

    expect(appSpecRevision(content)).toEqual({
      revisionType: "AppSpecContent",
      appSpecContent: {
        content,
        sha256: createHash("sha256").update(content).digest("hex"),
      },
    });
    expect(appSpecRevision(content).appSpecContent.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
