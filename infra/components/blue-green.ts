import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allowPolicy, serviceRole, type RoleSettings } from "../iam";
import { stackPrefix } from "../naming";

export interface BlueGreenArgs {
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  serviceArn: pulumi.Input<string>;
  blueTargetGroupName: pulumi.Input<string>;
  greenTargetGroupName: pulumi.Input<string>;
  productionListenerArn: pulumi.Input<string>;
  testListenerArn: pulumi.Input<string>;
  /** The tasks' roles, which CodeDeploy passes to ECS for each replacement task set. */
  taskRoleArns: pulumi.Input<string>[];
  /** A CodeDeploy ECS deployment configuration, e.g. `CodeDeployDefault.ECSAllAtOnce`. */
  deploymentConfigName: string;
  /** Minutes the old (blue) tasks keep running after a successful cut-over. */
  terminationWaitMinutes: number;
  /** Per target group, the alarms that roll a deployment back (a rollout narrows them to one). */
  rollbackAlarms: pulumi.Output<Record<string, string[]>>;
  roles: RoleSettings;
}

/**
 * CodeDeploy's side of blue/green: the application and an ECS deployment group that shifts the
 * production listener (and the test listener) between the blue and green target groups.
 */
export class BlueGreen extends pulumi.ComponentResource {
  public readonly applicationName: pulumi.Output<string>;
  public readonly deploymentGroupName: pulumi.Output<string>;
  public readonly deploymentGroup: aws.codedeploy.DeploymentGroup;

  constructor(name: string, args: BlueGreenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:deployment:BlueGreen", name, {}, opts);

    const role = serviceRole(`${name}-role`, "codedeploy.amazonaws.com", args.roles, {
      parent: this,
    });
    // What AWSCodeDeployRoleForECSLimited grants, narrowed to this stack's service, listeners and
    // alarms; no S3, Lambda or SNS, which this deployment group does not use.
    const under = (arn: pulumi.Input<string>, from: string, to: string) =>
      pulumi.output(arn).apply((value) => `${value.replace(from, to)}/*`);
    const listenerRules = (listener: pulumi.Input<string>) =>
      under(listener, ":listener/", ":listener-rule/");
    const policy = new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: role.name,
        policy: allowPolicy([
          {
            Sid: "TaskSetsOfThisService",
            Action: [
              "ecs:DescribeServices",
              "ecs:CreateTaskSet",
              "ecs:UpdateServicePrimaryTaskSet",
              "ecs:DeleteTaskSet",
            ],
            Resource: [args.serviceArn, under(args.serviceArn, ":service/", ":task-set/")],
          },
          {
            Sid: "ShiftTheseListeners",
            Action: ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"],
            Resource: [
              args.productionListenerArn,
              args.testListenerArn,
              listenerRules(args.productionListenerArn),
              listenerRules(args.testListenerArn),
            ],
          },
          {
            Sid: "ReadListenersAndAlarms",
            Action: [
              "elasticloadbalancing:DescribeListeners",
              "elasticloadbalancing:DescribeRules",
              "elasticloadbalancing:DescribeTargetGroups",
              "cloudwatch:DescribeAlarms",
            ],
            Resource: ["*"],
          },
          {
            Sid: "PassTheTaskRoles",
            Action: ["iam:PassRole"],
            Resource: args.taskRoleArns,
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
          },
        ]),
      },
      { parent: this },
    );

    const application = new aws.codedeploy.Application(
      `${name}-app`,
      { computePlatform: "ECS" },
      { parent: this },
    );

    const deploymentGroup = new aws.codedeploy.DeploymentGroup(
      `${name}-group`,
      {
        appName: application.name,
        deploymentGroupName: `${stackPrefix()}-api`,
        serviceRoleArn: role.arn,
        deploymentConfigName: args.deploymentConfigName,
        deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
        blueGreenDeploymentConfig: {
          deploymentReadyOption: { actionOnTimeout: "CONTINUE_DEPLOYMENT" },
          terminateBlueInstancesOnDeploymentSuccess: {
            action: "TERMINATE",
            terminationWaitTimeInMinutes: args.terminationWaitMinutes,
          },
        },
        ecsService: { clusterName: args.clusterName, serviceName: args.serviceName },
        loadBalancerInfo: {
          targetGroupPairInfo: {
            prodTrafficRoute: { listenerArns: [args.productionListenerArn] },
            testTrafficRoute: { listenerArns: [args.testListenerArn] },
            targetGroups: [{ name: args.blueTargetGroupName }, { name: args.greenTargetGroupName }],
          },
        },
        autoRollbackConfiguration: {
          enabled: true,
          events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
        },
        alarmConfiguration: {
          enabled: true,
          alarms: args.rollbackAlarms.apply((byGroup) => [
            ...new Set(Object.values(byGroup).flat()),
          ]),
        },
      },
      { parent: this, dependsOn: [policy] },
    );

    this.deploymentGroup = deploymentGroup;
    this.applicationName = application.name;
    this.deploymentGroupName = deploymentGroup.deploymentGroupName;
    this.registerOutputs({
      applicationName: this.applicationName,
      deploymentGroupName: this.deploymentGroupName,
    });
  }
}
