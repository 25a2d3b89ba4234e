/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- engine inputs are untyped JSON */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { CONTAINER_PORT, DELETE_ITEM_ROUTE, HEALTH_CHECK_PATH, SCOPES } from "../../lib/routes";
import {
  COLLECTOR_IMAGE,
  COLLECTOR_NAME,
  OTLP_HTTP_ENDPOINT,
  XRAY_WRITE_ACTIONS,
} from "../components/collector";
import { INSPECTED_BODY_BYTES, PUT_ROUTE } from "../components/firewall";
import { API_ROUTES, FUNCTION_ROUTE } from "../components/monitoring";
import { UNMATCHED_ROUTE } from "../../lib/routes";
import { SERVICE_TABLE_ACTIONS } from "../components/service";
import { RESOURCELESS_ACTIONS } from "../policy/rules";
import { parseRolloutRequest } from "../deployment/request";
import { asList, named, ofType, policyStatements } from "./query";
import type { DeclaredResource, StackRun } from "./run-stack";
import { blockedBy } from "./waf";

/** What a stack file is expected to produce, where dev and prod differ. */
export interface StackExpectations {
  availabilityZones: number;
  natStrategy: "Single" | "OnePerAz";
  deletionProtection: boolean;
  protect: boolean;
  cpu: string;
  memory: string;
  minCapacity: number;
  maxCapacity: number;
  deploymentConfig: string;
  terminationWaitMinutes: number;
  logRetentionDays: number;
  reservedConcurrency: number;
  https: boolean;
  builtImage: boolean;
  traceSampleRatio: number;
}

/** What Pulumi.prod.yaml produces as committed: the base for prod variants with extra config. */
export const PROD_EXPECTATIONS: StackExpectations = {
  availabilityZones: 3,
  natStrategy: "OnePerAz",
  deletionProtection: true,
  protect: true,
  cpu: "512",
  memory: "1024",
  minCapacity: 2,
  maxCapacity: 10,
  deploymentConfig: "CodeDeployDefault.ECSCanary10Percent5Minutes",
  terminationWaitMinutes: 15,
  logRetentionDays: 90,
  reservedConcurrency: -1,
  https: true,
  builtImage: true,
  traceSampleRatio: 0.05,
};

export const STACK_OUTPUTS = [
  "apiUrl",
  "albDnsName",
  "tableName",
  "repositoryUrl",
  "clusterName",
  "serviceName",
  "codedeployApplication",
  "codedeployDeploymentGroup",
  "functionName",
  "taskDefinitionArn",
  "imageRef",
  "tokenUrl",
  "authIssuer",
  "smokeClientId",
  "smokeClientSecret",
];

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- engine inputs are untyped JSON

function inputs(resource: DeclaredResource): Inputs {
  return resource.inputs;
}

function state(run: StackRun, type: string, name: string): Inputs {
  return inputs(named(run, type, name));
}

/** The invariants every stack must hold, then the values that are specific to this stack. */
export function describeStack(getRun: () => StackRun, expected: StackExpectations): void {
  const run = () => getRun();
  const listenerName = expected.https ? "edge-https" : "edge-http";
  const listener = (name: string) => named(run(), "aws:lb/listener:Listener", name);
  // Listener ARNs as the mocks assign them, to compare with what other resources reference.
  const arnOf = (type: string, name: string) => mockedArn(run(), type, name);

  describe("outputs", () => {
    it("exports every name CI and the smoke test rely on", () => {
      for (const key of STACK_OUTPUTS) expect(run().outputs[key]).toEqual(expect.any(String));
    });

    it(
      expected.https
        ? "points apiUrl at the API's own name over HTTPS"
        : "points apiUrl at the load balancer's DNS name",
      () => {
        const { apiUrl, albDnsName } = run().outputs;
        expect(apiUrl).toBe(
          expected.https
            ? `https://${run().config["picus:domainName"]}`
            : `http://${albDnsName as string}`,
        );
      },
    );

    it("keeps the client secrets in secret outputs", () => {
      expect(run().secretOutputs.sort()).toEqual(["apiClientCredentials", "smokeClientSecret"]);
    });

    it("deploys a digest reference, never a mutable tag", () => {
      expect(run().outputs.imageRef).toMatch(/@sha256:[0-9a-f]{64}$/);
    });
  });

  describe("tags", () => {
    it("sets project, stack and owner once, as the AWS provider's default tags", () => {
      const [provider] = ofType(run(), "pulumi:providers:aws");
      expect(JSON.parse(inputs(provider).defaultTags as string)).toEqual({
        tags: { project: "picus", stack: run().stack, owner: run().config["picus:owner"] },
      });
    });

    it("creates every AWS resource through that provider", () => {
      const [provider] = ofType(run(), "pulumi:providers:aws");
      const aws = run().resources.filter((r) => r.custom && r.type.startsWith("aws:"));
      expect(aws.length).toBeGreaterThan(30);
      for (const resource of aws) expect(resource.provider).toContain(provider.urn);
    });
  });

  describe("network", () => {
    it("spreads public and private subnets over the configured AZs with the stack's NAT strategy", () => {
      const vpc = state(run(), "awsx:ec2:Vpc", "network-vpc");
      expect(vpc.numberOfAvailabilityZones).toBe(expected.availabilityZones);
      expect(vpc.natGateways).toEqual({ strategy: expected.natStrategy });
      expect(vpc.subnetSpecs.map((spec: Inputs) => spec.type)).toEqual(["Public", "Private"]);
    });

    it("routes DynamoDB traffic through a gateway endpoint", () => {
      const vpc = state(run(), "awsx:ec2:Vpc", "network-vpc");
      expect(vpc.vpcEndpointStrategy).toBe("Auto");
      expect(vpc.vpcEndpointSpecs).toEqual([
        {
          serviceName: `com.amazonaws.${run().config["aws:region"]}.dynamodb`,
          vpcEndpointType: "Gateway",
        },
      ]);
    });
  });

  describe("data", () => {
    it("is on-demand, encrypted and point-in-time recoverable", () => {
      const table = state(run(), "aws:dynamodb/table:Table", "data-items");
      expect(table.billingMode).toBe("PAY_PER_REQUEST");
      expect(table.hashKey).toBe("id");
      expect(table.serverSideEncryption).toEqual({ enabled: true });
      expect(table.pointInTimeRecovery).toEqual({ enabled: true });
    });

    it("has the stack's deletion protection and protect flag", () => {
      const table = named(run(), "aws:dynamodb/table:Table", "data-items");
      expect(inputs(table).deletionProtectionEnabled).toBe(expected.deletionProtection);
      expect(table.protect).toBe(expected.protect);
    });
  });

  describe("registry", () => {
    it("keeps immutable, scanned tags and bounds the image history", () => {
      const repo = state(run(), "aws:ecr/repository:Repository", "registry-repo");
      expect(repo.imageTagMutability).toBe("IMMUTABLE");
      expect(repo.imageScanningConfiguration).toEqual({ scanOnPush: true });
      const rules = JSON.parse(
        state(run(), "aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-lifecycle")
          .policy as string,
      ).rules as Inputs[];
      expect(rules.map((rule) => rule.selection.countType)).toEqual([
        "sinceImagePushed",
        "imageCountMoreThan",
      ]);
    });

    it(
      expected.builtImage
        ? "builds app/Dockerfile from the repository root"
        : "deploys the configured image without building",
      () => {
        const images = ofType(run(), "docker-build:index:Image");
        if (!expected.builtImage) {
          expect(images).toHaveLength(0);
          expect(run().outputs.imageRef).toBe(run().config["picus:image"]);
          return;
        }
        expect(images).toHaveLength(1);
        const image = inputs(images[0]);
        expect(image.context.location).toMatch(/[/\\]main$|^[^]*$/);
        expect(image.dockerfile.location).toMatch(/app[/\\]Dockerfile$/);
        expect(image.push).toBe(true);
        expect(image.tags[0]).toMatch(
          new RegExp(`^${String(run().outputs.repositoryUrl)}:src-[0-9a-f]{16}$`),
        );
        expect(run().outputs.imageRef).toMatch(
          new RegExp(`^${String(run().outputs.repositoryUrl)}@sha256:`),
        );
      },
    );
  });

  describe("edge", () => {
    it("health-checks both service target groups on /health, quickly", () => {
      for (const color of ["blue", "green"]) {
        const group = state(run(), "aws:lb/targetGroup:TargetGroup", `edge-${color}`);
        expect(group).toMatchObject({ targetType: "ip", port: CONTAINER_PORT, protocol: "HTTP" });
        expect(group.healthCheck).toMatchObject({
          path: HEALTH_CHECK_PATH,
          matcher: "200",
          interval: 10,
          healthyThreshold: 2,
        });
      }
    });

    it("routes DELETE /picus/* to the function on both the production and the test listener", () => {
      const lambdaGroupArn = arnOf("aws:lb/targetGroup:TargetGroup", "edge-delete-fn");
      const rules = ofType(run(), "aws:lb/listenerRule:ListenerRule").map(inputs);
      expect(rules.map((rule) => rule.listenerArn).sort()).toEqual(
        [
          arnOf("aws:lb/listener:Listener", listenerName),
          arnOf("aws:lb/listener:Listener", "edge-test"),
        ].sort(),
      );
      for (const rule of rules) {
        expect(rule.conditions).toEqual([
          { httpRequestMethod: { values: [DELETE_ITEM_ROUTE.method] } },
          { pathPattern: { values: [DELETE_ITEM_ROUTE.pathPattern] } },
        ]);
        expect(rule.actions.at(-1)).toEqual({ type: "forward", targetGroupArn: lambdaGroupArn });
      }
    });

    it(
      expected.https
        ? "checks a DELETE's token at the load balancer on HTTPS, before the function"
        : "leaves tokens to the code on plain HTTP (the load balancer checks them on HTTPS only)",
      () => {
        const rule = (name: string) =>
          state(run(), "aws:lb/listenerRule:ListenerRule", `edge-${name}-delete-item`);
        expect(rule("test").actions).toHaveLength(1);
        if (!expected.https) {
          expect(rule("prod").actions).toHaveLength(1);
          return;
        }
        const { authIssuer } = run().outputs as { authIssuer: string };
        expect(rule("prod").actions[0]).toEqual({
          type: "jwt-validation",
          jwtValidation: {
            issuer: authIssuer,
            jwksEndpoint: `${authIssuer}/.well-known/jwks.json`,
            additionalClaims: [
              { format: "single-string", name: "token_use", values: ["access"] },
              { format: "space-separated-values", name: "scope", values: [SCOPES.delete] },
            ],
          },
        });
      },
    );

    it("lets only this target group invoke the function, and grants it before the attachment", () => {
      const lambdaGroupArn = arnOf("aws:lb/targetGroup:TargetGroup", "edge-delete-fn");
      const permission = named(run(), "aws:lambda/permission:Permission", "edge-delete-fn-invoke");
      expect(inputs(permission)).toMatchObject({
        action: "lambda:InvokeFunction",
        principal: "elasticloadbalancing.amazonaws.com",
        sourceArn: lambdaGroupArn,
        function: run().outputs.functionName,
      });
      const attachment = named(
        run(),
        "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        "edge-delete-fn-target",
      );
      expect(inputs(attachment).targetGroupArn).toBe(lambdaGroupArn);
      expect(attachment.dependencies).toContain(permission.urn);
    });

    it("leaves the listeners' default actions to CodeDeploy", () => {
      for (const name of [listenerName, "edge-test"]) {
        expect(listener(name).ignoreChanges).toEqual(["defaultActions"]);
        expect(inputs(listener(name)).defaultActions).toEqual([
          { type: "forward", targetGroupArn: arnOf("aws:lb/targetGroup:TargetGroup", "edge-blue") },
        ]);
      }
    });

    it(expected.https ? "serves HTTPS and redirects HTTP to it" : "serves HTTP on port 80", () => {
      const production = inputs(listener(listenerName));
      if (!expected.https) {
        expect(production).toMatchObject({ port: 80, protocol: "HTTP" });
        expect(ofType(run(), "aws:lb/listener:Listener")).toHaveLength(2);
        return;
      }
      expect(production).toMatchObject({
        port: 443,
        protocol: "HTTPS",
        certificateArn: arnOf("aws:acm/certificate:Certificate", "edge-certificate"),
      });
      expect(production.sslPolicy).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
      expect(listener("edge-http").ignoreChanges).toEqual([]);
      expect(inputs(listener("edge-http")).defaultActions).toEqual([
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ]);
    });
  });

  describe("HTTPS on the API's own name", () => {
    const records = () => ofType(run(), "aws:route53/record:Record").map(inputs);

    it(
      expected.https
        ? "validates its certificate through DNS before the listener uses it"
        : "has no certificate and no DNS records",
      () => {
        if (!expected.https) {
          expect(ofType(run(), "aws:acm/certificate:Certificate")).toEqual([]);
          expect(records()).toEqual([]);
          return;
        }
        const zoneId = run().config["picus:hostedZoneId"];
        const certificate = state(run(), "aws:acm/certificate:Certificate", "edge-certificate");
        expect(certificate).toMatchObject({
          domainName: run().config["picus:domainName"],
          validationMethod: "DNS",
        });
        const validation = named(
          run(),
          "aws:acm/certificateValidation:CertificateValidation",
          "edge-certificate-validated",
        );
        const record = named(run(), "aws:route53/record:Record", "edge-certificate-validation");
        expect(inputs(record)).toMatchObject({ zoneId, type: "CNAME" });
        expect(inputs(validation).validationRecordFqdns).toEqual([inputs(record).name]);
        expect(listener("edge-https").dependencies).toContain(validation.urn);
      },
    );

    if (expected.https) {
      it("points the name at the load balancer with an alias A record (the ALB is IPv4 only)", () => {
        const alb = mockedState(run(), "aws:lb/loadBalancer:LoadBalancer", "edge-alb");
        expect(alb.ipAddressType).toBeUndefined();
        expect(state(run(), "aws:route53/record:Record", "edge-alias")).toMatchObject({
          zoneId: run().config["picus:hostedZoneId"],
          name: run().config["picus:domainName"],
          type: "A",
          aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
        });
      });
    }
  });

  describe("identity", () => {
    const clients = () => ofType(run(), "aws:cognito/userPoolClient:UserPoolClient").map(inputs);
    const consumers = (): { name: string; scopes: string[] }[] =>
      JSON.parse(run().config["picus:apiClients"] ?? "[]");

    it("keeps a user pool nobody can sign up to", () => {
      const pool = state(run(), "aws:cognito/userPool:UserPool", "identity-pool");
      expect(pool.adminCreateUserConfig).toEqual({ allowAdminCreateUserOnly: true });
      expect(pool.deletionProtection).toBe(expected.protect ? "ACTIVE" : "INACTIVE");
    });

    it("declares the resource server picus with the read, write and delete scopes", () => {
      const server = state(run(), "aws:cognito/resourceServer:ResourceServer", "identity-api");
      expect(server.identifier).toBe("picus");
      expect(server.scopes.map((scope: Inputs) => `picus/${scope.scopeName as string}`)).toEqual(
        Object.values(SCOPES),
      );
    });

    it("gives each consumer and the smoke test a client-credentials client with a secret", () => {
      const byName = Object.fromEntries(
        clients().map((client) => [client.name, client.allowedOauthScopes]),
      );
      expect(byName).toEqual({
        smoke: Object.values(SCOPES),
        ...Object.fromEntries(consumers().map((consumer) => [consumer.name, consumer.scopes])),
      });
      for (const client of clients()) {
        expect(client).toMatchObject({
          generateSecret: true,
          allowedOauthFlows: ["client_credentials"],
          allowedOauthFlowsUserPoolClient: true,
          accessTokenValidity: Number(run().config["picus:accessTokenMinutes"] ?? 60),
          tokenValidityUnits: { accessToken: "minutes" },
        });
      }
    });

    it("exports the token endpoint, the issuer and the smoke client", () => {
      const pool = mockedId(run(), "aws:cognito/userPool:UserPool", "identity-pool");
      const domain = state(run(), "aws:cognito/userPoolDomain:UserPoolDomain", "identity-domain");
      const region = run().config["aws:region"];
      expect(domain.domain).toMatch(new RegExp(`^picus-${run().stack}-[0-9a-f]{8}$`));
      expect(run().outputs).toMatchObject({
        tokenUrl: `https://${domain.domain as string}.auth.${region}.amazoncognito.com/oauth2/token`,
        authIssuer: `https://cognito-idp.${region}.amazonaws.com/${pool}`,
        smokeClientId: mockedId(
          run(),
          "aws:cognito/userPoolClient:UserPoolClient",
          "identity-client-smoke",
        ),
      });
      expect(Object.keys(run().outputs.apiClientCredentials as object)).toEqual(
        consumers().map((consumer) => consumer.name),
      );
    });

    it("tells the service and the function whose tokens to accept", () => {
      const ids = ofType(run(), "aws:cognito/userPoolClient:UserPoolClient").map((c) => c.id);
      const task = state(run(), "aws:ecs/taskDefinition:TaskDefinition", "api-task");
      const [container] = JSON.parse(task.containerDefinitions as string) as Inputs[];
      const fn = state(run(), "aws:lambda/function:Function", "delete-item-fn");
      for (const env of [
        Object.fromEntries((container.environment as Inputs[]).map((e) => [e.name, e.value])),
        fn.environment.variables as Record<string, string>,
      ]) {
        expect(env.AUTH_ISSUER).toBe(run().outputs.authIssuer);
        expect(env.AUTH_CLIENT_IDS.split(",").sort()).toEqual(ids.sort());
      }
    });
  });

  describe("web application firewall", () => {
    const acl = () => state(run(), "aws:wafv2/webAcl:WebAcl", "firewall-acl");
    const rules = () => acl().rules as Inputs[];

    it("guards the load balancer with AWS's managed rule groups and a per-IP rate limit", () => {
      expect(acl()).toMatchObject({ scope: "REGIONAL", defaultAction: { allow: {} } });
      expect(state(run(), "aws:wafv2/webAclAssociation:WebAclAssociation", "firewall-alb")).toEqual(
        expect.objectContaining({
          resourceArn: arnOf("aws:lb/loadBalancer:LoadBalancer", "edge-alb"),
          webAclArn: arnOf("aws:wafv2/webAcl:WebAcl", "firewall-acl"),
        }),
      );
      const groups = rules()
        .filter((rule) => rule.statement.managedRuleGroupStatement)
        .map((rule) => rule.statement.managedRuleGroupStatement.name as string);
      expect(groups.sort()).toEqual([
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
      ]);
      const [rate] = rules().filter((rule) => rule.statement.rateBasedStatement);
      expect(rate.action).toEqual({ block: {} });
      expect(rate.statement.rateBasedStatement).toEqual({
        limit: Number(run().config["picus:wafRateLimit"]),
        aggregateKeyType: "IP",
        evaluationWindowSec: 300,
      });
    });

    it("lets a 300 KB put through and keeps the 8 KB body limit everywhere else", () => {
      const common = rules().find(
        (rule) => rule.statement.managedRuleGroupStatement?.name === "AWSManagedRulesCommonRuleSet",
      );
      expect(common?.statement.managedRuleGroupStatement.ruleActionOverrides).toEqual([
        { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
      ]);
      const request = (method: string, uriPath: string, bodyBytes: number) => ({
        method,
        uriPath,
        bodyBytes,
      });
      expect(blockedBy(rules(), request(PUT_ROUTE.method, PUT_ROUTE.path, 300_000))).toEqual([]);
      expect(blockedBy(rules(), request("GET", "/picus/list", 0))).toEqual([]);
      for (const large of [
        request("DELETE", "/picus/0b6b6a4e", 20_000),
        request("GET", PUT_ROUTE.path, INSPECTED_BODY_BYTES + 1),
        request(PUT_ROUTE.method, "/picus/put/", 300_000),
      ]) {
        expect(blockedBy(rules(), large)).toEqual(["large-body-only-on-put"]);
      }
    });

    it("logs to aws-waf-logs-picus-<stack> without the Authorization header", () => {
      const group = named(run(), "aws:cloudwatch/logGroup:LogGroup", "firewall-logs");
      expect(inputs(group).name).toBe(`aws-waf-logs-picus-${run().stack}`);
      expect(
        state(
          run(),
          "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
          "firewall-logging",
        ),
      ).toMatchObject({
        resourceArn: arnOf("aws:wafv2/webAcl:WebAcl", "firewall-acl"),
        logDestinationConfigs: [group.state.arn],
        redactedFields: [{ singleHeader: { name: "authorization" } }],
      });
    });

    it("alarms on a spike of blocked requests", () => {
      const alarm = state(
        run(),
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "monitoring-waf-blocked",
      );
      expect(alarm).toMatchObject({ namespace: "AWS/WAFV2", metricName: "BlockedRequests" });
      expect(alarm.dimensions).toEqual({
        WebACL: mockedState(run(), "aws:wafv2/webAcl:WebAcl", "firewall-acl").name,
        Region: run().config["aws:region"],
        Rule: "ALL",
      });
    });
  });

  describe("security groups", () => {
    const rules = (kind: "Ingress" | "Egress", groupName: string) => {
      const groupId = mockedId(run(), "aws:ec2/securityGroup:SecurityGroup", groupName);
      return ofType(run(), `aws:vpc/securityGroup${kind}Rule:SecurityGroup${kind}Rule`)
        .map(inputs)
        .filter((rule) => rule.securityGroupId === groupId);
    };

    it("lets tasks accept only the container port, only from the ALB", () => {
      const albGroupId = mockedId(run(), "aws:ec2/securityGroup:SecurityGroup", "edge-alb-sg");
      expect(rules("Ingress", "api-task-sg")).toEqual([
        expect.objectContaining({
          fromPort: CONTAINER_PORT,
          toPort: CONTAINER_PORT,
          referencedSecurityGroupId: albGroupId,
        }),
      ]);
      for (const rule of rules("Ingress", "api-task-sg")) expect(rule.cidrIpv4).toBeUndefined();
    });

    it("opens the ALB's public ports to the configured CIDRs only", () => {
      const ports = rules("Ingress", "edge-alb-sg")
        .map((rule) => rule.fromPort)
        .sort();
      expect(ports).toEqual(expected.https ? [443, 80] : [80]);
      const cidrs = JSON.parse(
        run().config["picus:albIngressCidrs"] ?? '["0.0.0.0/0"]',
      ) as string[];
      for (const rule of rules("Ingress", "edge-alb-sg")) expect(cidrs).toContain(rule.cidrIpv4);
    });

    it(
      expected.https
        ? "lets the ALB reach the tasks, and HTTPS for the issuer's JWKS"
        : "lets the ALB reach the tasks and nothing else",
      () => {
        const taskGroupId = mockedId(run(), "aws:ec2/securityGroup:SecurityGroup", "api-task-sg");
        expect(rules("Egress", "edge-alb-sg")).toEqual([
          ...(expected.https
            ? [expect.objectContaining({ fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" })]
            : []),
          expect.objectContaining({
            fromPort: CONTAINER_PORT,
            referencedSecurityGroupId: taskGroupId,
          }),
        ]);
      },
    );
  });

  describe("service", () => {
    const service = () => named(run(), "aws:ecs/service:Service", "api-service");

    it("runs in the private subnets without a public IP", () => {
      const vpcName = "network-vpc";
      const network = inputs(service()).networkConfiguration as Inputs;
      expect(network.assignPublicIp).toBe(false);
      expect(network.subnets).toEqual(vpcOutputs(run(), vpcName).privateSubnetIds);
      expect(network.subnets).not.toEqual(
        expect.arrayContaining(vpcOutputs(run(), vpcName).publicSubnetIds),
      );
    });

    it("is deployed by CodeDeploy, and Pulumi ignores what CodeDeploy owns", () => {
      expect(inputs(service()).deploymentController).toEqual({ type: "CODE_DEPLOY" });
      expect(service().ignoreChanges.sort()).toEqual([
        "desiredCount",
        "loadBalancers",
        "networkConfiguration",
        "taskDefinition",
      ]);
    });

    it("turns Container Insights on", () => {
      expect(state(run(), "aws:ecs/cluster:Cluster", "api-cluster").settings).toEqual([
        { name: "containerInsights", value: "enabled" },
      ]);
    });

    it("sizes the task from config and runs the container non-root on a read-only filesystem", () => {
      const task = state(run(), "aws:ecs/taskDefinition:TaskDefinition", "api-task");
      expect(task).toMatchObject({
        cpu: expected.cpu,
        memory: expected.memory,
        networkMode: "awsvpc",
      });
      expect(task.runtimePlatform).toEqual({
        operatingSystemFamily: "LINUX",
        cpuArchitecture: "ARM64",
      });
      const [container] = JSON.parse(task.containerDefinitions as string) as Inputs[];
      expect(container.user).not.toMatch(/^(0|root)(:|$)/);
      expect(container.readonlyRootFilesystem).toBe(true);
      expect(container.image).toBe(run().outputs.imageRef);
      expect(container.portMappings).toEqual([{ containerPort: CONTAINER_PORT, protocol: "tcp" }]);
      const env = Object.fromEntries(
        (container.environment as Inputs[]).map((e) => [e.name, e.value]),
      );
      expect(env).toMatchObject({
        TABLE_NAME: run().outputs.tableName,
        AWS_REGION: run().config["aws:region"],
        LOG_LEVEL: run().config["picus:logLevel"],
      });
      expect(container.logConfiguration.logDriver).toBe("awslogs");
    });

    const containers = () =>
      JSON.parse(
        state(run(), "aws:ecs/taskDefinition:TaskDefinition", "api-task")
          .containerDefinitions as string,
      ) as Inputs[];
    const envOf = (container: Inputs) =>
      Object.fromEntries((container.environment as Inputs[]).map((e) => [e.name, e.value]));

    it("runs the OpenTelemetry collector beside the API, pinned, non-essential, health-checked", () => {
      const [api, collector] = containers();
      expect(containers()).toHaveLength(2);
      expect(collector).toMatchObject({
        name: COLLECTOR_NAME,
        image: COLLECTOR_IMAGE,
        essential: false,
        cpu: Number(run().config["picus:collectorCpu"]),
        memory: Number(run().config["picus:collectorMemoryMb"]),
        readonlyRootFilesystem: true,
        healthCheck: { command: ["CMD", "/healthcheck"] },
        restartPolicy: { enabled: true },
      });
      expect(collector.image).toMatch(/:v\d+\.\d+\.\d+$/);
      expect(collector.user).not.toMatch(/^(0|root)(:|$)/);
      expect(api.dependsOn).toBeUndefined();
      expect(collector.portMappings).toBeUndefined();
      expect(collector.logConfiguration.options["awslogs-group"]).toBe(
        mockedState(run(), "aws:cloudwatch/logGroup:LogGroup", "api-collector-logs").name,
      );
    });

    it("configures the collector inline: OTLP on loopback, batched, to X-Ray, no remote sampling", () => {
      const config = envOf(containers()[1]).AOT_CONFIG_CONTENT as string;
      expect(config).toContain("endpoint: 127.0.0.1:4317");
      expect(config).toContain("endpoint: 127.0.0.1:4318");
      expect(config).toContain("endpoint: 127.0.0.1:13133");
      expect(config).toContain(`region: ${run().config["aws:region"]}`);
      expect(config).toMatch(
        /receivers: \[otlp\]\n\s+processors: \[batch\]\n\s+exporters: \[awsxray\]/,
      );
      expect(config).not.toMatch(/sampling/);
    });

    it("points the API's OpenTelemetry SDK at the collector with the stack's sample ratio", () => {
      expect(envOf(containers()[0])).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_HTTP_ENDPOINT,
        OTEL_SERVICE_NAME: "picus-api",
        OTEL_TRACES_EXPORTER: "otlp",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: String(expected.traceSampleRatio),
        OTEL_PROPAGATORS: "xray",
      });
    });

    it("puts only the API container behind the load balancer and in CodeDeploy's AppSpec", () => {
      const [balanced] = inputs(service()).loadBalancers as Inputs[];
      expect(balanced).toMatchObject({ containerName: containers()[0].name });
      const rollout = named(run(), "picus:deployment:EcsBlueGreenRollout", "rollout");
      const [command] = run().resources.filter(
        (r) => r.type === "command:local:Command" && r.parent === rollout.urn,
      );
      const request = parseRolloutRequest(inputs(command).stdin as string);
      expect(request).toMatchObject({
        containerName: containers()[0].name,
        containerPort: CONTAINER_PORT,
      });
      expect(containers().filter((c) => c.portMappings !== undefined)).toHaveLength(1);
    });

    it("scales on CPU between the stack's bounds", () => {
      const target = state(run(), "aws:appautoscaling/target:Target", "api-scaling-target");
      expect(target).toMatchObject({
        minCapacity: expected.minCapacity,
        maxCapacity: expected.maxCapacity,
      });
      const policy = state(run(), "aws:appautoscaling/policy:Policy", "api-cpu-scaling");
      expect(policy.policyType).toBe("TargetTrackingScaling");
      expect(
        policy.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification
          .predefinedMetricType,
      ).toBe("ECSServiceAverageCPUUtilization");
    });
  });

  describe("blue/green", () => {
    const group = () =>
      state(run(), "aws:codedeploy/deploymentGroup:DeploymentGroup", "codedeploy-group");

    it("shifts the production and test listeners between blue and green", () => {
      expect(group().deploymentStyle).toEqual({
        deploymentType: "BLUE_GREEN",
        deploymentOption: "WITH_TRAFFIC_CONTROL",
      });
      const pair = group().loadBalancerInfo.targetGroupPairInfo as Inputs;
      expect(pair.prodTrafficRoute.listenerArns).toEqual([
        arnOf("aws:lb/listener:Listener", listenerName),
      ]);
      expect(pair.testTrafficRoute.listenerArns).toEqual([
        arnOf("aws:lb/listener:Listener", "edge-test"),
      ]);
      expect(pair.targetGroups).toEqual([
        {
          name:
            state(run(), "aws:lb/targetGroup:TargetGroup", "edge-blue").name ?? expect.any(String),
        },
        { name: expect.any(String) },
      ]);
      expect(group().ecsService).toEqual({
        clusterName: run().outputs.clusterName,
        serviceName: run().outputs.serviceName,
      });
    });

    it("uses the stack's deployment config and termination wait", () => {
      expect(group().deploymentConfigName).toBe(expected.deploymentConfig);
      expect(group().blueGreenDeploymentConfig.terminateBlueInstancesOnDeploymentSuccess).toEqual({
        action: "TERMINATE",
        terminationWaitTimeInMinutes: expected.terminationWaitMinutes,
      });
    });

    it("rolls back on failure and on alarms about the service's target groups and deployed revision only", () => {
      expect(group().autoRollbackConfiguration).toEqual({
        enabled: true,
        events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
      });
      const byName = new Map(
        ofType(run(), "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.state.name, a]),
      );
      const alarms = (group().alarmConfiguration.alarms as string[]).map((name) =>
        byName.get(name),
      );
      expect(alarms.map((alarm) => alarm?.name).sort()).toEqual(
        ["response-time", "target-5xx", "unhealthy"]
          .flatMap((kind) => [`monitoring-${kind}-blue`, `monitoring-${kind}-green`])
          .concat(["monitoring-revision-error-rate", "monitoring-revision-latency-p99"])
          .sort(),
      );
      const suffixes = ["edge-blue", "edge-green"].map(
        (name) => mockedState(run(), "aws:lb/targetGroup:TargetGroup", name).arnSuffix as string,
      );
      for (const alarm of alarms.filter((a) => !a?.name.includes("revision"))) {
        const dimensions = inputs(alarm!).dimensions as Record<string, string>;
        expect(Object.keys(dimensions).sort()).toEqual(["LoadBalancer", "TargetGroup"]);
        expect(suffixes).toContain(dimensions.TargetGroup);
      }
    });
  });

  describe("rollout", () => {
    it("checks the service on every update, after the service and the deployment group exist", () => {
      const rollout = named(run(), "picus:deployment:EcsBlueGreenRollout", "rollout");
      const service = named(run(), "aws:ecs/service:Service", "api-service");
      const group = named(
        run(),
        "aws:codedeploy/deploymentGroup:DeploymentGroup",
        "codedeploy-group",
      );
      expect(rollout.dependencies).toEqual(expect.arrayContaining([service.urn, group.urn]));
      const [command] = run().resources.filter(
        (r) => r.type === "command:local:Command" && r.parent === rollout.urn,
      );
      expect(inputs(command).triggers).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT/)]);
      const request = parseRolloutRequest(inputs(command).stdin as string);
      const network = inputs(service).networkConfiguration as Inputs;
      expect(request).toMatchObject({
        taskDefinitionArn: mockedArn(run(), "aws:ecs/taskDefinition:TaskDefinition", "api-task"),
        applicationName: run().outputs.codedeployApplication,
        deploymentGroupName: run().outputs.codedeployDeploymentGroup,
        network: { ...network, assignPublicIp: false },
        retryFailedRevision: false,
      });
      expect(Object.keys(request.rollbackAlarms).sort()).toEqual(
        ["edge-blue", "edge-green"]
          .map((name) => mockedArn(run(), "aws:lb/targetGroup:TargetGroup", name))
          .sort(),
      );
      expect(run().outputs.taskDefinitionArn).toBe(request.taskDefinitionArn);
    });

    it("never deregisters a task definition revision the service may still run", () => {
      expect(state(run(), "aws:ecs/taskDefinition:TaskDefinition", "api-task").skipDestroy).toBe(
        true,
      );
    });
  });

  describe("function", () => {
    it("runs the esbuild bundle on nodejs22.x arm64 with the stack's reserved concurrency", async () => {
      const fn = state(run(), "aws:lambda/function:Function", "delete-item-fn");
      expect(fn).toMatchObject({
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        reservedConcurrentExecutions: expected.reservedConcurrency,
      });
      expect(fn.environment.variables.TABLE_NAME).toBe(run().outputs.tableName);
      const bundle = (await fn.code.path) as string;
      expect(existsSync(path.join(bundle, "index.js"))).toBe(true);
      expect(fn.loggingConfig.logGroup).toEqual(expect.any(String));
    });

    it("traces every invocation in X-Ray and names itself for Powertools", () => {
      const fn = state(run(), "aws:lambda/function:Function", "delete-item-fn");
      expect(fn.tracingConfig).toEqual({ mode: "Active" });
      expect(fn.environment.variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: "picus-delete",
        POWERTOOLS_METRICS_NAMESPACE: "picus",
      });
    });
  });

  describe("IAM", () => {
    const policies = () => ofType(run(), "aws:iam/rolePolicy:RolePolicy");
    const statementsOf = (name: string) =>
      policyStatements(state(run(), "aws:iam/rolePolicy:RolePolicy", name).policy);
    const tableArn = () => mockedArn(run(), "aws:dynamodb/table:Table", "data-items");

    it("allows no wildcard action anywhere", () => {
      expect(policies().length).toBeGreaterThanOrEqual(3);
      for (const policy of policies()) {
        for (const statement of policyStatements(inputs(policy).policy)) {
          expect(statement.Effect).toBe("Allow");
          for (const action of asList(statement.Action)) expect(action).not.toContain("*");
        }
      }
    });

    it("uses a wildcard resource only for actions that have no narrower form", () => {
      for (const policy of policies()) {
        for (const statement of policyStatements(inputs(policy).policy)) {
          if (!asList(statement.Resource).includes("*")) continue;
          for (const action of asList(statement.Action))
            expect(RESOURCELESS_ACTIONS).toContain(action);
        }
      }
    });

    it("gives the task role only the table actions the service uses, on this table, and X-Ray writes", () => {
      expect(statementsOf("api-task-policy")).toEqual([
        { Sid: "Items", Effect: "Allow", Action: SERVICE_TABLE_ACTIONS, Resource: [tableArn()] },
        {
          Sid: "WriteTraces",
          Effect: "Allow",
          Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
          Resource: ["*"],
        },
      ]);
      expect(XRAY_WRITE_ACTIONS).toEqual(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
    });

    it("gives the function only dynamodb:DeleteItem on this table, plus its own logs and X-Ray writes", () => {
      const [items, logs, traces] = statementsOf("delete-item-policy");
      expect(statementsOf("delete-item-policy")).toHaveLength(3);
      expect(traces).toEqual({
        Sid: "WriteTraces",
        Effect: "Allow",
        Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        Resource: ["*"],
      });
      expect(ofType(run(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
      expect(items).toEqual({
        Sid: "DeleteItems",
        Effect: "Allow",
        Action: ["dynamodb:DeleteItem"],
        Resource: [tableArn()],
      });
      expect(asList(logs.Action).every((action) => action.startsWith("logs:"))).toBe(true);
    });

    it("lets the execution role pull from this repository and write its own log groups", () => {
      const statements = statementsOf("api-execution-policy");
      const pull = statements.find((s) => s.Sid === "EcrPull");
      expect(pull?.Resource).toContain(
        mockedArn(run(), "aws:ecr/repository:Repository", "registry-repo"),
      );
      const logs = statements.find((s) => s.Sid === "WriteLogs");
      expect(logs?.Resource).toEqual(
        ["api-logs", "api-collector-logs"].map(
          (name) => `${mockedArn(run(), "aws:cloudwatch/logGroup:LogGroup", name)}:*`,
        ),
      );
    });
  });

  describe("service roles", () => {
    const roles = () => ofType(run(), "aws:iam/role:Role");
    const statementsOf = (name: string) =>
      policyStatements(state(run(), "aws:iam/rolePolicy:RolePolicy", name).policy);

    it("keeps every role under the stack's path, inside the stack's permissions boundary", () => {
      const boundary = `arn:aws:iam::123456789012:policy/picus/${run().stack}/picus-${run().stack}-workload-boundary`;
      expect(roles().length).toBe(4);
      for (const role of roles()) {
        expect(inputs(role)).toMatchObject({
          path: `/picus/${run().stack}/`,
          permissionsBoundary: boundary,
        });
      }
    });

    it("lets each service assume its role only for this account (confused deputy)", () => {
      for (const role of roles()) {
        const [trust] = policyStatements(inputs(role).assumeRolePolicy) as unknown as Inputs[];
        expect(trust.Condition.StringEquals).toEqual({ "aws:SourceAccount": "123456789012" });
      }
      const [taskTrust] = policyStatements(
        state(run(), "aws:iam/role:Role", "api-task-role").assumeRolePolicy,
      ) as unknown as Inputs[];
      expect(taskTrust.Condition.ArnLike).toEqual({
        "aws:SourceArn": `arn:aws:ecs:${run().config["aws:region"]}:123456789012:*`,
      });
    });

    it("gives CodeDeploy an inline policy on this stack's service and listeners, no managed policy", () => {
      expect(ofType(run(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
      const statements = statementsOf("codedeploy-role-policy");
      const resources = (sid: string) =>
        asList(statements.find((statement) => statement.Sid === sid)?.Resource ?? []);
      const serviceArn = mockedArn(run(), "aws:ecs/service:Service", "api-service");
      expect(resources("TaskSetsOfThisService")).toEqual([
        serviceArn,
        `${serviceArn.replace(":service/", ":task-set/")}/*`,
      ]);
      expect(resources("ShiftTheseListeners")).toEqual(
        expect.arrayContaining([
          arnOf("aws:lb/listener:Listener", listenerName),
          arnOf("aws:lb/listener:Listener", "edge-test"),
        ]),
      );
      expect(resources("PassTheTaskRoles")).toEqual(
        ["api-execution-role", "api-task-role"].map((name) =>
          mockedArn(run(), "aws:iam/role:Role", name),
        ),
      );
      const actions = statements.flatMap((statement) => asList(statement.Action));
      expect(actions.filter((action) => /^(s3|lambda|sns):/.test(action))).toEqual([]);
    });
  });

  describe("access logs", () => {
    it("logs the load balancer to an SSE-S3 bucket that expires them, once ELB may write", () => {
      const bucket = named(run(), "aws:s3/bucket:Bucket", "edge-logs");
      const policy = named(run(), "aws:s3/bucketPolicy:BucketPolicy", "edge-logs-policy");
      const alb = named(run(), "aws:lb/loadBalancer:LoadBalancer", "edge-alb");
      expect(inputs(bucket).bucketPrefix).toBe(`picus-${run().stack}-alb-logs-`);
      expect(inputs(alb).accessLogs).toEqual({
        bucket: run().outputs.accessLogBucket,
        enabled: true,
      });
      expect(alb.dependencies).toContain(policy.urn);
      expect(
        state(
          run(),
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "edge-logs-encryption",
        ).rules,
      ).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
      expect(
        state(
          run(),
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
          "edge-logs-lifecycle",
        ).rules[0].expiration,
      ).toEqual({ days: expected.logRetentionDays });
      const [delivery] = policyStatements(inputs(policy).policy) as unknown as Inputs[];
      expect(delivery).toMatchObject({
        Effect: "Allow",
        // eu-west-1 opened before August 2022: its ELB account writes the logs.
        Principal: { AWS: "arn:aws:iam::156460612806:root" },
        Action: "s3:PutObject",
        Resource: `${mockedArn(run(), "aws:s3/bucket:Bucket", "edge-logs")}/AWSLogs/123456789012/*`,
      });
    });
  });

  describe("ordering", () => {
    it("removes the listeners before either service target group on destroy, even after a swap", () => {
      const groups = ["edge-blue", "edge-green"].map(
        (name) => named(run(), "aws:lb/targetGroup:TargetGroup", name).urn,
      );
      for (const listener of ofType(run(), "aws:lb/listener:Listener")) {
        expect(listener.dependencies).toEqual(expect.arrayContaining(groups));
      }
    });

    it("starts the service only once its security-group rules exist", () => {
      const service = named(run(), "aws:ecs/service:Service", "api-service");
      const rules = [
        named(
          run(),
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
          "api-task-in-alb",
        ),
        named(
          run(),
          "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
          "api-task-out-https",
        ),
        named(
          run(),
          "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
          "api-alb-out-tasks",
        ),
      ];
      expect(service.dependencies).toEqual(expect.arrayContaining(rules.map((rule) => rule.urn)));
    });
  });

  describe("monitoring", () => {
    const alarms = () => ofType(run(), "aws:cloudwatch/metricAlarm:MetricAlarm").map(inputs);
    const metricsOf = (alarm: Inputs): string[] =>
      alarm.metricName !== undefined
        ? [`${alarm.namespace as string}:${alarm.metricName as string}`]
        : (alarm.metricQueries as Inputs[])
            .filter((q) => q.metric)
            .map((q) => `${q.metric.namespace as string}:${q.metric.metricName as string}`);

    it("alarms on the service, the ALB, the table and the function", () => {
      const metrics = new Set(alarms().flatMap(metricsOf));
      for (const metric of [
        "AWS/ECS:CPUUtilization",
        "AWS/ECS:MemoryUtilization",
        "AWS/ApplicationELB:HTTPCode_ELB_5XX_Count",
        "AWS/ApplicationELB:HTTPCode_Target_5XX_Count",
        "AWS/ApplicationELB:TargetResponseTime",
        "AWS/ApplicationELB:UnHealthyHostCount",
        "AWS/DynamoDB:ReadThrottleEvents",
        "AWS/DynamoDB:WriteThrottleEvents",
        "AWS/DynamoDB:SystemErrors",
        "AWS/Lambda:Errors",
        "AWS/Lambda:Throttles",
        "AWS/WAFV2:BlockedRequests",
      ]) {
        expect(metrics).toContain(metric);
      }
    });

    const alarm = (suffix: string) =>
      state(run(), "aws:cloudwatch/metricAlarm:MetricAlarm", `monitoring-${suffix}`);
    const queries = (suffix: string) => alarm(suffix).metricQueries as Inputs[];
    const returned = (suffix: string) => queries(suffix).filter((q) => q.returnData === true);
    const picusMetrics = (suffix: string) =>
      queries(suffix)
        .filter((q) => q.metric !== undefined)
        .map((q) => q.metric as Inputs);

    it("names the API's product routes and the function's route as the code emits them", () => {
      expect(API_ROUTES).toEqual(["GET /picus/list", "POST /picus/put", "GET /picus/get/{key}"]);
      expect(FUNCTION_ROUTE).toBe("DELETE /picus/{key}");
      expect(API_ROUTES).not.toContain(UNMATCHED_ROUTE);
    });

    it("alarms on the API's and the function's 5xx rate from their EMF Requests, with a traffic floor", () => {
      for (const [suffix, service, routes] of [
        ["api-error-rate", "api", API_ROUTES],
        ["function-error-rate", "delete-function", [FUNCTION_ROUTE]],
      ] as const) {
        const metrics = picusMetrics(suffix);
        expect(metrics.length).toBeLessThanOrEqual(10);
        expect(metrics.length).toBe(routes.length * 3);
        for (const metric of metrics) {
          expect(metric).toMatchObject({ namespace: "picus", metricName: "Requests", stat: "Sum" });
          expect(metric.dimensions.Service).toBe(service);
          expect(routes).toContain(metric.dimensions.Route);
        }
        expect(returned(suffix)).toHaveLength(1);
        expect(returned(suffix)[0].expression).toBe("IF(total >= 20, 100 * errors / total, 0)");
        const errors = queries(suffix).find((q) => q.id === "errors");
        const fives = queries(suffix).filter((q) => q.metric?.dimensions.StatusClass === "5xx");
        expect(errors?.expression).toBe(
          `SUM([${fives.map((q) => `FILL(${q.id as string}, 0)`).join(", ")}])`,
        );
        expect(alarm(suffix)).toMatchObject({ threshold: 5, evaluationPeriods: 3 });
      }
    });

    it("alarms on the API's slowest route p99 and the function's p99 duration", () => {
      const metrics = picusMetrics("api-latency-p99");
      expect(metrics.map((m) => m.dimensions.Route)).toEqual(API_ROUTES);
      for (const metric of metrics) {
        expect(metric).toMatchObject({ namespace: "picus", metricName: "Latency", stat: "p99" });
        expect(metric.dimensions).toMatchObject({ Service: "api", StatusClass: "2xx" });
      }
      expect(returned("api-latency-p99")[0].expression).toBe("MAX([p0, p1, p2])");
      expect(alarm("function-duration-p99")).toMatchObject({
        namespace: "AWS/Lambda",
        metricName: "Duration",
        extendedStatistic: "p99",
        dimensions: { FunctionName: run().outputs.functionName },
      });
    });

    it("rolls back on the API's error rate and p99 of the task definition being deployed", () => {
      const task = mockedState(run(), "aws:ecs/taskDefinition:TaskDefinition", "api-task");
      const revision = { Service: "api", TaskDefinition: `${task.family}:${task.revision}` };
      const metrics = picusMetrics("revision-error-rate");
      expect(metrics.map((m) => m.dimensions)).toEqual([
        { ...revision, StatusClass: "5xx" },
        revision,
      ]);
      expect(returned("revision-error-rate")[0].expression).toBe(
        "IF(total >= 20, 100 * FILL(errors, 0) / total, 0)",
      );
      expect(alarm("revision-latency-p99")).toMatchObject({
        namespace: "picus",
        metricName: "Latency",
        extendedStatistic: "p99",
        dimensions: revision,
        threshold: 1000,
      });
      const rollout = named(run(), "picus:deployment:EcsBlueGreenRollout", "rollout");
      const [command] = run().resources.filter(
        (r) => r.type === "command:local:Command" && r.parent === rollout.urn,
      );
      const request = parseRolloutRequest(inputs(command).stdin as string);
      for (const names of Object.values(request.rollbackAlarms)) {
        expect(names).toEqual(
          expect.arrayContaining(
            ["revision-error-rate", "revision-latency-p99"].map(
              (suffix) =>
                mockedState(run(), "aws:cloudwatch/metricAlarm:MetricAlarm", `monitoring-${suffix}`)
                  .name as string,
            ),
          ),
        );
      }
    });

    it("keeps the application alarms over every task definition out of the rollback set: notify only", () => {
      const group = state(
        run(),
        "aws:codedeploy/deploymentGroup:DeploymentGroup",
        "codedeploy-group",
      );
      const rollback = group.alarmConfiguration.alarms as string[];
      for (const suffix of [
        "api-error-rate",
        "api-latency-p99",
        "function-error-rate",
        "function-duration-p99",
      ]) {
        const name = mockedState(
          run(),
          "aws:cloudwatch/metricAlarm:MetricAlarm",
          `monitoring-${suffix}`,
        ).name as string;
        expect(rollback).not.toContain(name);
        expect(alarm(suffix).alarmActions).toHaveLength(1);
      }
    });

    it("sends every alarm to the SNS topic", () => {
      const topicArn = mockedArn(run(), "aws:sns/topic:Topic", "monitoring-alarms");
      for (const alarm of alarms()) expect(alarm.alarmActions).toEqual([topicArn]);
    });

    const dashboard = () =>
      state(run(), "aws:cloudwatch/dashboard:Dashboard", "monitoring-dashboard");
    const widgets = () =>
      (JSON.parse(dashboard().dashboardBody as string) as { widgets: Inputs[] }).widgets;
    const metricWidgets = () => widgets().filter((widget) => widget.type === "metric");
    const series = () =>
      metricWidgets().flatMap((widget) => widget.properties.metrics as unknown[][]);
    const titled = (prefix: string) =>
      widgets().filter((widget) => (widget.properties.title as string).startsWith(prefix));

    it("publishes one dashboard per stack, picus-<stack>, exported as dashboardName", () => {
      expect(dashboard().dashboardName).toBe(`picus-${run().stack}`);
      expect(run().outputs.dashboardName).toBe(`picus-${run().stack}`);
    });

    it("answers traffic, errors, latency, store, function and deployment on one screen", () => {
      for (const prefix of ["Traffic", "Errors", "Latency", "Store", "Function", "Deployment"]) {
        expect(titled(prefix).length).toBeGreaterThanOrEqual(1);
      }
      for (const widget of widgets()) {
        expect(widget.properties.region).toBe(run().config["aws:region"]);
      }
    });

    it("charts the code's EMF metrics from the picus namespace, per route and per store", () => {
      const searches = series()
        .map(([first]) => first as Inputs)
        .filter((first) => typeof first === "object" && first.expression !== undefined)
        .map((first) => first.expression as string);
      for (const metric of ["Requests", "Latency"]) {
        expect(searches).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^SEARCH\\('\\{picus,Service,Route,StatusClass\\} MetricName="${metric}" Service="api"`,
            ),
          ),
        );
      }
      for (const statusClass of ["4xx", "5xx"]) {
        expect(searches).toContainEqual(expect.stringContaining(`StatusClass="${statusClass}"`));
      }
      expect(searches).toContainEqual(expect.stringContaining("{picus,Service,Failure}"));
      const latency = titled("Latency").map((widget) => widget.properties.stat as string);
      expect(latency.sort()).toEqual(["p50", "p99"]);
      const store = series().filter((s) => s[0] === "picus" && s[1] === "StoreLatency");
      expect(store.map((s) => s[3]).sort()).toEqual([
        "api",
        "api",
        "delete-function",
        "delete-function",
      ]);
    });

    it("charts the health of both service target groups, blue and green", () => {
      const [deployment] = titled("Deployment");
      const charted = (deployment.properties.metrics as unknown[][]).map((s) => [s[1], s[3]]);
      for (const name of ["edge-blue", "edge-green"]) {
        const suffix = mockedState(run(), "aws:lb/targetGroup:TargetGroup", name)
          .arnSuffix as string;
        expect(charted).toContainEqual(["HealthyHostCount", suffix]);
        expect(charted).toContainEqual(["UnHealthyHostCount", suffix]);
      }
    });

    it("charts the function's duration, errors, throttles, concurrency and cold starts", () => {
      const lambda = series()
        .filter((s) => s[0] === "AWS/Lambda")
        .map((s) => s[1]);
      expect(new Set(lambda)).toEqual(
        new Set(["Duration", "Invocations", "Errors", "Throttles", "ConcurrentExecutions"]),
      );
      const [coldStarts] = widgets().filter((widget) => widget.type === "log");
      const logGroup = mockedState(run(), "aws:cloudwatch/logGroup:LogGroup", "delete-item-logs");
      expect(coldStarts.properties.query).toMatch(
        new RegExp(`^SOURCE '${logGroup.name as string}' \\|.*initDurationMs`),
      );
    });

    it("keeps every log group for the stack's retention period", () => {
      const groups = ofType(run(), "aws:cloudwatch/logGroup:LogGroup");
      expect(groups).toHaveLength(4);
      for (const group of groups)
        expect(inputs(group).retentionInDays).toBe(expected.logRetentionDays);
    });
  });
}

/** The state the mocks gave a resource (the engine's view of its outputs). */
function mockedState(run: StackRun, type: string, name: string): Inputs {
  return named(run, type, name).state;
}

function mockedArn(run: StackRun, type: string, name: string): string {
  const arn = mockedState(run, type, name).arn as string | undefined;
  if (arn === undefined) throw new Error(`no mocked ARN for ${type} ${name}`);
  return arn;
}

function mockedId(run: StackRun, type: string, name: string): string {
  const id = mockedState(run, type, name).id as string | undefined;
  if (id === undefined) throw new Error(`no mocked id for ${type} ${name}`);
  return id;
}

function vpcOutputs(
  run: StackRun,
  name: string,
): { privateSubnetIds: string[]; publicSubnetIds: string[] } {
  return mockedState(run, "awsx:ec2:Vpc", name) as {
    privateSubnetIds: string[];
    publicSubnetIds: string[];
  };
}
