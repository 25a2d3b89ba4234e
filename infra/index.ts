import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PORT } from "../lib/routes";
import { BlueGreen } from "./components/blue-green";
import { Data } from "./components/data";
import { DeleteFunction } from "./components/delete-function";
import { Edge } from "./components/edge";
import { Firewall } from "./components/firewall";
import { Identity } from "./components/identity";
import { Monitoring } from "./components/monitoring";
import { Network } from "./components/network";
import { Registry } from "./components/registry";
import { CONTAINER_NAME, Service } from "./components/service";
import { loadSettings } from "./config";
import { EcsBlueGreenRollout } from "./deployment/ecs-blue-green-rollout";
import { roleSettings } from "./iam";
import { createAwsProvider } from "./tags";

const settings = loadSettings();
const { region, logRetentionDays } = settings;
const provider = createAwsProvider(settings);
const opts = { providers: [provider] };
const roles = roleSettings(settings, provider);
/** Unprotected stacks may be destroyed with their data, images and logs. */
const forceDelete = !settings.data.protect;

const network = new Network("network", { ...settings.network, region }, opts);
const data = new Data("data", settings.data, opts);
const identity = new Identity(
  "identity",
  {
    ...settings.identity,
    region,
    accountId: roles.accountId,
    deletionProtection: settings.data.protect,
  },
  opts,
);
const registry = new Registry(
  "registry",
  { image: settings.image, architecture: settings.service.architecture, forceDelete },
  opts,
);
const deleteFunction = new DeleteFunction(
  "delete-item",
  {
    tableName: data.tableName,
    tableArn: data.tableArn,
    authEnvironment: identity.environment(),
    ...settings.deleteFunction,
    logRetentionDays,
    logLevel: settings.service.logLevel,
    roles,
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
    jwt: identity,
    accessLogs: {
      region,
      accountId: roles.accountId,
      retentionDays: logRetentionDays,
      forceDestroy: forceDelete,
    },
  },
  opts,
);
const firewall = new Firewall(
  "firewall",
  { loadBalancerArn: edge.loadBalancerArn, rateLimit: settings.wafRateLimit, logRetentionDays },
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
    authEnvironment: identity.environment(),
    region,
    ...settings.service,
    logRetentionDays,
    roles,
  },
  opts,
);
const monitoring = new Monitoring(
  "monitoring",
  {
    region,
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    taskDefinition: service.taskDefinitionRevision,
    loadBalancerArnSuffix: edge.loadBalancerArnSuffix,
    targetGroups: { blue: edge.blueTargetGroup, green: edge.greenTargetGroup },
    tableName: data.tableName,
    functionName: deleteFunction.functionName,
    functionLogGroupName: deleteFunction.logGroupName,
    webAclName: firewall.webAclName,
    alarmEmail: settings.alarmEmail,
  },
  opts,
);
const blueGreen = new BlueGreen(
  "codedeploy",
  {
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    serviceArn: service.service.arn,
    blueTargetGroupName: edge.blueTargetGroup.name,
    greenTargetGroupName: edge.greenTargetGroup.name,
    productionListenerArn: edge.productionListenerArn,
    testListenerArn: edge.testListenerArn,
    taskRoleArns: [service.executionRoleArn, service.taskRoleArn],
    deploymentConfigName: settings.deployment.config,
    terminationWaitMinutes: settings.deployment.terminationWaitMinutes,
    rollbackAlarms: monitoring.rollbackAlarms,
    roles,
  },
  opts,
);
const rollout = new EcsBlueGreenRollout(
  "rollout",
  {
    region,
    applicationName: blueGreen.applicationName,
    deploymentGroupName: blueGreen.deploymentGroupName,
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    taskDefinitionArn: service.taskDefinitionArn,
    containerName: CONTAINER_NAME,
    containerPort: CONTAINER_PORT,
    network: pulumi.output(service.taskNetwork),
    rollbackAlarms: monitoring.rollbackAlarms,
    retryFailedRevision: settings.deployment.retryFailedRevision,
    timeoutMinutes: settings.deployment.timeoutMinutes,
    runId: new Date().toISOString(),
  },
  { ...opts, dependsOn: [service.service, blueGreen.deploymentGroup] },
);

export const apiUrl = edge.apiUrl;
export const albDnsName = edge.dnsName;
export const accessLogBucket = edge.accessLogBucket;
export const tableName = data.tableName;
export const repositoryUrl = registry.repositoryUrl;
export const clusterName = service.clusterName;
export const serviceName = service.serviceName;
export const codedeployApplication = blueGreen.applicationName;
export const codedeployDeploymentGroup = blueGreen.deploymentGroupName;
export const functionName = deleteFunction.functionName;
export const taskDefinitionArn = rollout.taskDefinitionArn;
export const imageRef = registry.imageRef;
export const tokenUrl = identity.tokenUrl;
export const authIssuer = identity.issuer;
export const smokeClientId = identity.smokeClientId;
export const smokeClientSecret = identity.smokeClientSecret;
export const apiClientCredentials = identity.apiClientCredentials;
export const alarmTopicArn = monitoring.topicArn;
export const dashboardName = monitoring.dashboardName;
