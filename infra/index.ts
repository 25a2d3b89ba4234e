import * as path from "node:path";
import { CONTAINER_PORT } from "../lib/routes";
import { Data } from "./components/data";
import { DeleteFunction } from "./components/delete-function";
import { Edge } from "./components/edge";
import { BlueGreen } from "./components/blue-green";
import { Monitoring } from "./components/monitoring";
import { Network } from "./components/network";
import { Registry } from "./components/registry";
import { CONTAINER_NAME, Service } from "./components/service";
import { loadSettings } from "./config";
import { EcsBlueGreenRollout } from "./deployment";
import { createAwsProvider } from "./tags";

const settings = loadSettings();
const provider = createAwsProvider(settings);
const opts = { providers: [provider] };

const network = new Network("network", { ...settings.network, region: settings.region }, opts);

const data = new Data("data", settings.data, opts);

const registry = new Registry(
  "registry",
  {
    image: settings.image,
    contextDir: path.resolve(__dirname, ".."),
    architecture: settings.service.architecture,
    forceDelete: !settings.data.protect,
    keepImages: 30,
  },
  opts,
);

const deleteFunction = new DeleteFunction(
  "delete-item",
  {
    tableName: data.tableName,
    tableArn: data.tableArn,
    ...settings.deleteFunction,
    logRetentionDays: settings.logRetentionDays,
    logLevel: settings.service.logLevel,
  },
  opts,
);

const edge = new Edge(
  "edge",
  {
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    ...settings.edge,
    deleteFunctionArn: deleteFunction.functionArn,
    deleteFunctionName: deleteFunction.functionName,
  },
  opts,
);

const service = new Service(
  "api",
  {
    vpcId: network.vpcId,
    privateSubnetIds: network.privateSubnetIds,
    albSecurityGroupId: edge.securityGroupId,
    initialTargetGroupArn: edge.blueTargetGroup.arn,
    listeners: edge.listeners,
    imageRef: registry.imageRef,
    pullRepositoryArns: registry.pullRepositoryArns,
    tableName: data.tableName,
    tableArn: data.tableArn,
    region: settings.region,
    ...settings.service,
    logRetentionDays: settings.logRetentionDays,
  },
  opts,
);

const monitoring = new Monitoring(
  "monitoring",
  {
    region: settings.region,
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    loadBalancerArnSuffix: edge.loadBalancerArnSuffix,
    blueTargetGroupArnSuffix: edge.blueTargetGroup.arnSuffix,
    greenTargetGroupArnSuffix: edge.greenTargetGroup.arnSuffix,
    tableName: data.tableName,
    functionName: deleteFunction.functionName,
    alarmEmail: settings.alarmEmail,
  },
  opts,
);

const blueGreen = new BlueGreen(
  "codedeploy",
  {
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    blueTargetGroupName: edge.blueTargetGroup.name,
    greenTargetGroupName: edge.greenTargetGroup.name,
    productionListenerArn: edge.productionListenerArn,
    testListenerArn: edge.testListenerArn,
    deploymentConfigName: settings.deployment.config,
    terminationWaitMinutes: settings.deployment.terminationWaitMinutes,
    rollbackAlarmNames: monitoring.rollbackAlarmNames,
  },
  opts,
);

// Every new task definition revision, and every change of the tasks' network, reaches the service
// through CodeDeploy during `pulumi up`.
const rollout = new EcsBlueGreenRollout(
  "rollout",
  {
    applicationName: blueGreen.applicationName,
    deploymentGroupName: blueGreen.deploymentGroupName,
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    taskDefinitionArn: service.taskDefinitionArn,
    containerName: CONTAINER_NAME,
    containerPort: CONTAINER_PORT,
    network: service.taskNetwork,
    region: settings.region,
  },
  { ...opts, dependsOn: [service.service, blueGreen.deploymentGroup] },
);

export const apiUrl = edge.apiUrl;
export const albDnsName = edge.dnsName;
export const tableName = data.tableName;
export const repositoryUrl = registry.repositoryUrl;
export const clusterName = service.clusterName;
export const serviceName = service.serviceName;
export const codedeployApplication = blueGreen.applicationName;
export const codedeployDeploymentGroup = blueGreen.deploymentGroupName;
export const functionName = deleteFunction.functionName;
export const taskDefinitionArn = rollout.taskDefinitionArn;
export const imageRef = registry.imageRef;
export const alarmTopicArn = monitoring.topicArn;
export const dashboardName = monitoring.dashboardName;
