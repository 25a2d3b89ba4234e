import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceRole } from "../iam";

export interface BlueGreenArgs {
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  blueTargetGroupName: pulumi.Input<string>;
  greenTargetGroupName: pulumi.Input<string>;
  productionListenerArn: pulumi.Input<string>;
  testListenerArn: pulumi.Input<string>;
  /** A CodeDeploy ECS deployment configuration, e.g. `CodeDeployDefault.ECSAllAtOnce`. */
  deploymentConfigName: string;
  /** Minutes the old (blue) tasks keep running after a successful cut-over. */
  terminationWaitMinutes: number;
  /** Alarms that roll a deployment back while they are in ALARM. */
  rollbackAlarmNames: pulumi.Input<pulumi.Input<string>[]>;
}

/** The managed policy AWS publishes for CodeDeploy's ECS blue/green deployments. */
export const CODEDEPLOY_ECS_POLICY_ARN = "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS";

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

    const role = serviceRole(`${name}-role`, "codedeploy.amazonaws.com", { parent: this });
    const attachment = new aws.iam.RolePolicyAttachment(
      `${name}-role-policy`,
      { role: role.name, policyArn: CODEDEPLOY_ECS_POLICY_ARN },
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
        deploymentGroupName: `${pulumi.getProject()}-${pulumi.getStack()}-api`,
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
        alarmConfiguration: { enabled: true, alarms: args.rollbackAlarmNames },
      },
      { parent: this, dependsOn: [attachment] },
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
