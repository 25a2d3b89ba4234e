import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PORT } from "../../lib/routes";
import type { ServiceSettings } from "../config";
import { allowPolicy, serviceRole, type RoleSettings } from "../iam";
import { tcpRules } from "./network";
import { collectorContainer, tracingEnvironment, XRAY_WRITE_ACTIONS } from "./collector";
import { stackPrefix } from "../naming";

export const CONTAINER_NAME = "api";

/** Where the tasks run. CodeDeploy applies changes to it; ECS cannot change it in place. */
export interface TaskNetworkArgs {
  subnets: pulumi.Input<pulumi.Input<string>[]>;
  securityGroups: pulumi.Input<pulumi.Input<string>[]>;
  assignPublicIp: boolean;
}

export interface ServiceArgs extends ServiceSettings {
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  albSecurityGroupId: pulumi.Input<string>;
  /** The target group the service starts behind; CodeDeploy moves it between blue and green. */
  initialTargetGroupArn: pulumi.Input<string>;
  /** The listeners that must exist before the service registers with a target group. */
  listeners: pulumi.Resource[];
  imageRef: pulumi.Input<string>;
  pullRepositoryArns: pulumi.Input<pulumi.Input<string>[]>;
  tableName: pulumi.Input<string>;
  tableArn: pulumi.Input<string>;
  /** AUTH_ISSUER and AUTH_CLIENT_IDS: whose tokens the service accepts. */
  authEnvironment: Record<string, pulumi.Input<string>>;
  region: string;
  logRetentionDays: number;
  roles: RoleSettings;
}

/** The table actions the Nest service performs, and nothing else. */
export const SERVICE_TABLE_ACTIONS = ["GetItem", "PutItem", "Scan", "DescribeTable"].map(
  (action) => `dynamodb:${action}`,
);

/**
 * The Nest API on Fargate: cluster, task definition, an ECS service in private subnets that
 * CodeDeploy deploys (Pulumi ignores what CodeDeploy owns), and CPU target-tracking scaling.
 */
export class Service extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly serviceName: pulumi.Output<string>;
  public readonly taskDefinitionArn: pulumi.Output<string>;
  /** `family:revision`, as the tasks' metrics name it (lib/metrics.ts, TaskDefinition). */
  public readonly taskDefinitionRevision: pulumi.Output<string>;
  public readonly taskNetwork: TaskNetworkArgs;
  /** The roles CodeDeploy passes to ECS when it starts a replacement task set. */
  public readonly executionRoleArn: pulumi.Output<string>;
  public readonly taskRoleArn: pulumi.Output<string>;
  /** The ECS service resource, for components that must come after it. */
  public readonly service: aws.ecs.Service;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:service:Service", name, {}, opts);

    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent: this },
    );

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-task-sg`,
      { vpcId: args.vpcId, description: "picus tasks: the container port from the ALB only" },
      { parent: this },
    );
    const task = tcpRules(securityGroup.id, this);
    const taskIn = task("in", `${name}-task-in-alb`, CONTAINER_PORT, {
      referencedSecurityGroupId: args.albSecurityGroupId,
    });
    // HTTPS out: ECR and CloudWatch Logs through the NAT, DynamoDB through the gateway endpoint.
    const taskOut = task("out", `${name}-task-out-https`, 443, { cidrIpv4: "0.0.0.0/0" });
    const alb = tcpRules(args.albSecurityGroupId, this);
    const albOut = alb("out", `${name}-alb-out-tasks`, CONTAINER_PORT, {
      referencedSecurityGroupId: securityGroup.id,
    });

    const [logGroup, collectorLogGroup] = ["logs", "collector-logs"].map(
      (suffix) =>
        new aws.cloudwatch.LogGroup(
          `${name}-${suffix}`,
          { retentionInDays: args.logRetentionDays },
          { parent: this },
        ),
    );

    const executionRole = serviceRole(
      `${name}-execution-role`,
      "ecs-tasks.amazonaws.com",
      args.roles,
      { parent: this },
    );
    const executionPolicy = new aws.iam.RolePolicy(
      `${name}-execution-policy`,
      {
        role: executionRole.name,
        policy: allowPolicy([
          // GetAuthorizationToken has no resource-level permissions: AWS only accepts "*".
          { Sid: "EcrLogin", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
          {
            Sid: "EcrPull",
            Action: ["BatchCheckLayerAvailability", "BatchGetImage", "GetDownloadUrlForLayer"].map(
              (action) => `ecr:${action}`,
            ),
            Resource: args.pullRepositoryArns,
          },
          {
            Sid: "WriteLogs",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [logGroup, collectorLogGroup].map(
              (group) => pulumi.interpolate`${group.arn}:*`,
            ),
          },
        ]),
      },
      { parent: this },
    );

    const { partition, accountId } = args.roles;
    const taskRole = serviceRole(
      `${name}-task-role`,
      "ecs-tasks.amazonaws.com",
      args.roles,
      { parent: this },
      pulumi.interpolate`arn:${partition}:ecs:${args.region}:${accountId}:*`,
    );
    new aws.iam.RolePolicy(
      `${name}-task-policy`,
      {
        role: taskRole.name,
        policy: allowPolicy([
          { Sid: "Items", Action: SERVICE_TABLE_ACTIONS, Resource: [args.tableArn] },
          { Sid: "WriteTraces", Action: XRAY_WRITE_ACTIONS, Resource: ["*"] },
        ]),
      },
      { parent: this },
    );

    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: `${stackPrefix()}-api`,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(args.cpu),
        memory: String(args.memory),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.architecture },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        volumes: [{ name: "tmp" }],
        // Never deregistered by Pulumi: after a failed or rolled-back deployment the service still
        // runs an older revision, and CodeDeploy may roll back to one (cleanup: docs/delivery.md).
        skipDestroy: true,
        containerDefinitions: pulumi.jsonStringify([
          {
            name: CONTAINER_NAME,
            image: args.imageRef,
            essential: true,
            user: "1000:1000",
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
            portMappings: [{ containerPort: CONTAINER_PORT, protocol: "tcp" }],
            environment: [
              { name: "TABLE_NAME", value: args.tableName },
              { name: "AWS_REGION", value: args.region },
              { name: "LOG_LEVEL", value: args.logLevel },
              { name: "PORT", value: String(CONTAINER_PORT) },
              ...Object.entries(args.authEnvironment).map(([name, value]) => ({ name, value })),
              ...tracingEnvironment(args.traceSampleRatio),
            ],
            linuxParameters: { initProcessEnabled: true },
            stopTimeout: 30,
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": logGroup.name,
                "awslogs-region": args.region,
                "awslogs-stream-prefix": CONTAINER_NAME,
              },
            },
          },
          collectorContainer({
            region: args.region,
            cpu: args.collector.cpu,
            memoryMb: args.collector.memoryMb,
            logGroupName: collectorLogGroup.name,
          }),
        ]),
      },
      { parent: this, dependsOn: [executionPolicy] },
    );

    const taskNetwork = {
      subnets: args.privateSubnetIds,
      securityGroups: [securityGroup.id],
      assignPublicIp: false,
    };
    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.minCapacity,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        deploymentController: { type: "CODE_DEPLOY" },
        healthCheckGracePeriodSeconds: 30,
        propagateTags: "SERVICE",
        enableEcsManagedTags: true,
        networkConfiguration: taskNetwork,
        loadBalancers: [
          {
            targetGroupArn: args.initialTargetGroupArn,
            containerName: CONTAINER_NAME,
            containerPort: CONTAINER_PORT,
          },
        ],
      },
      {
        parent: this,
        // Tasks that start before their security-group rules exist fail their health checks.
        dependsOn: [...args.listeners, taskIn, taskOut, albOut],
        // CodeDeploy registers task definitions, swaps target groups, scales the task sets and
        // moves them to a new network (the rollout passes taskNetwork on).
        ignoreChanges: ["taskDefinition", "loadBalancers", "desiredCount", "networkConfiguration"],
      },
    );

    const scalingTarget = new aws.appautoscaling.Target(
      `${name}-scaling-target`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
        minCapacity: args.minCapacity,
        maxCapacity: args.maxCapacity,
      },
      { parent: this },
    );
    new aws.appautoscaling.Policy(
      `${name}-cpu-scaling`,
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: scalingTarget.serviceNamespace,
        scalableDimension: scalingTarget.scalableDimension,
        resourceId: scalingTarget.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: {
            predefinedMetricType: "ECSServiceAverageCPUUtilization",
          },
          targetValue: args.cpuTargetPercent,
          scaleInCooldown: 120,
          scaleOutCooldown: 60,
        },
      },
      { parent: this },
    );

    this.service = service;
    this.clusterName = cluster.name;
    this.serviceName = service.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.taskDefinitionRevision = pulumi.interpolate`${taskDefinition.family}:${taskDefinition.revision}`;
    this.executionRoleArn = executionRole.arn;
    this.taskRoleArn = taskRole.arn;
    this.taskNetwork = taskNetwork;
    this.registerOutputs({
      clusterName: this.clusterName,
      serviceName: this.serviceName,
      taskDefinitionArn: this.taskDefinitionArn,
    });
  }
}
