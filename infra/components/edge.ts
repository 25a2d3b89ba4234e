import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PORT, DELETE_ITEM_ROUTE, HEALTH_CHECK_PATH, SCOPES } from "../../lib/routes";
import { accessLogBucket, type AccessLogsArgs } from "./access-logs";
import { aliasRecord, validatedCertificate, type DomainArgs } from "./domain";
import { tcpRules } from "./network";

export interface EdgeArgs {
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** CIDRs allowed to reach the public listeners (80, and 443 with a certificate). */
  ingressCidrs: string[];
  /** When set, HTTPS on 443 serves production traffic under this name; 80 only redirects. */
  domain?: DomainArgs;
  /** The token issuer, which the HTTPS listener's DELETE rule checks tokens against. */
  jwt: { issuer: pulumi.Input<string>; jwksUri: pulumi.Input<string> };
  /** CIDRs allowed to reach the test listener; empty keeps it closed to the outside. */
  testTrafficCidrs: string[];
  deregistrationDelaySeconds: number;
  /** The DELETE function the Lambda target group invokes. */
  deleteFunctionArn: pulumi.Input<string>;
  deleteFunctionName: pulumi.Input<string>;
  accessLogs: AccessLogsArgs;
}

const HTTPS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
const DELETE_RULE_PRIORITY = 10;
/** Where CodeDeploy's test traffic route reaches the replacement tasks before the cut-over. */
const TEST_LISTENER_PORT = 8080;

/**
 * The internet-facing ALB: a production and a test listener (CodeDeploy owns their default
 * actions), blue and green `ip` target groups for the service, and the DELETE route to the Lambda
 * target group on both listeners.
 */
export class Edge extends pulumi.ComponentResource {
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly loadBalancerArn: pulumi.Output<string>;
  public readonly loadBalancerArnSuffix: pulumi.Output<string>;
  public readonly dnsName: pulumi.Output<string>;
  public readonly accessLogBucket: pulumi.Output<string>;
  public readonly apiUrl: pulumi.Output<string>;
  public readonly productionListenerArn: pulumi.Output<string>;
  public readonly testListenerArn: pulumi.Output<string>;
  public readonly blueTargetGroup: aws.lb.TargetGroup;
  public readonly greenTargetGroup: aws.lb.TargetGroup;
  /** Resources the ECS service must wait for: its target group has to sit behind a listener. */
  public readonly listeners: pulumi.Resource[];

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:edge:Edge", name, {}, opts);
    const domain = args.domain;
    const https = domain !== undefined;

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-alb-sg`,
      { vpcId: args.vpcId, description: "picus ALB: public listeners in, service port out" },
      { parent: this },
    );
    const openings: [label: string, port: number, cidrs: string[]][] = [
      ["80", 80, args.ingressCidrs],
      ["test", TEST_LISTENER_PORT, args.testTrafficCidrs],
    ];
    if (https) openings.unshift(["443", 443, args.ingressCidrs]);
    const allow = tcpRules(securityGroup.id, this);
    for (const [label, port, cidrs] of openings) {
      cidrs.forEach((cidrIpv4, i) =>
        allow("in", `${name}-alb-in-${label}-${i}`, port, { cidrIpv4 }),
      );
    }
    // The load balancer fetches the issuer's JWKS (Cognito's public endpoint) for jwt-validation.
    if (https) allow("out", `${name}-alb-out-jwks`, 443, { cidrIpv4: "0.0.0.0/0" });

    const logs = accessLogBucket(`${name}-logs`, args.accessLogs, this);
    const loadBalancer = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [securityGroup.id],
        dropInvalidHeaderFields: true,
        idleTimeout: 60,
        accessLogs: { bucket: logs.bucketName, enabled: true },
      },
      { parent: this, dependsOn: [logs.policy] },
    );

    const serviceTargetGroup = (color: string) =>
      new aws.lb.TargetGroup(
        `${name}-${color}`,
        {
          targetType: "ip",
          protocol: "HTTP",
          port: CONTAINER_PORT,
          vpcId: args.vpcId,
          deregistrationDelay: args.deregistrationDelaySeconds,
          // Two passing checks 10 s apart admit a task in ~20 s; three failures take it out in ~30 s.
          healthCheck: {
            enabled: true,
            path: HEALTH_CHECK_PATH,
            protocol: "HTTP",
            matcher: "200",
            interval: 10,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
          },
        },
        { parent: this },
      );
    this.blueTargetGroup = serviceTargetGroup("blue");
    this.greenTargetGroup = serviceTargetGroup("green");

    // CodeDeploy swaps the default actions between blue and green; Pulumi must not swap them back.
    // Every listener depends on both groups, so `destroy` removes the listeners first, whichever
    // group they forward to by then.
    const codeDeployOwned: pulumi.CustomResourceOptions = {
      parent: this,
      ignoreChanges: ["defaultActions"],
      dependsOn: [this.blueTargetGroup, this.greenTargetGroup],
    };
    const forwardTo = (targetGroupArn: pulumi.Input<string>) => [
      { type: "forward", targetGroupArn },
    ];
    const testListener = new aws.lb.Listener(
      `${name}-test`,
      {
        loadBalancerArn: loadBalancer.arn,
        port: TEST_LISTENER_PORT,
        protocol: "HTTP",
        defaultActions: forwardTo(this.blueTargetGroup.arn),
      },
      codeDeployOwned,
    );
    // A production listener created later (HTTPS turned on, a replacement) forwards where traffic
    // goes now. The test listener always exists and follows each successful deployment, so its
    // live default action names that group; a fresh one still forwards to blue.
    const live = aws.lb.getListenerOutput({ arn: testListener.arn }, { parent: this });
    const liveTargetGroupArn = pulumi
      .all([live.defaultActions, this.greenTargetGroup.arn, this.blueTargetGroup.arn])
      .apply(([actions, green, blue]) => {
        // After a deployment CodeDeploy leaves a weighted forward (live group 100, other 0) and an
        // empty targetGroupArn, so the heaviest weighted group is the live one.
        const forward = actions.find((action) => action.type === "forward");
        const weighted = [...(forward?.forwards[0]?.targetGroups ?? [])];
        const heaviest = weighted.sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0))[0]?.arn;
        const current = forward?.targetGroupArn || heaviest;
        return current === green ? green : blue;
      });

    // Port 80 is one listener whatever the protocol setup, so adding a certificate later updates
    // it (forward → redirect) instead of racing a second listener for the same port.
    const httpListener = new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: https
          ? [
              {
                type: "redirect",
                redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
              },
            ]
          : forwardTo(liveTargetGroupArn),
      },
      https ? { parent: this, dependsOn: codeDeployOwned.dependsOn } : codeDeployOwned,
    );
    const productionListener = https
      ? new aws.lb.Listener(
          `${name}-https`,
          {
            loadBalancerArn: loadBalancer.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: HTTPS_POLICY,
            certificateArn: validatedCertificate(`${name}-certificate`, domain, this),
            defaultActions: forwardTo(liveTargetGroupArn),
          },
          codeDeployOwned,
        )
      : httpListener;
    if (https) aliasRecord(`${name}-alias`, domain, loadBalancer, this);

    const lambdaTargetGroup = new aws.lb.TargetGroup(
      `${name}-delete-fn`,
      { targetType: "lambda", lambdaMultiValueHeadersEnabled: false },
      { parent: this },
    );
    const invokePermission = new aws.lambda.Permission(
      `${name}-delete-fn-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: args.deleteFunctionName,
        principal: "elasticloadbalancing.amazonaws.com",
        sourceArn: lambdaTargetGroup.arn,
      },
      { parent: this },
    );
    // ELB validates the invoke permission when the function is registered, so it must exist first.
    const attachment = new aws.lb.TargetGroupAttachment(
      `${name}-delete-fn-target`,
      { targetGroupArn: lambdaTargetGroup.arn, targetId: args.deleteFunctionArn },
      { parent: this, dependsOn: [invokePermission] },
    );
    // The load balancer checks a DELETE's token (signature, iss, exp, token_use, scope) before it
    // invokes the function: on HTTPS only (where AWS offers jwt-validation), and on this rule only,
    // which CodeDeploy never rewrites (docs/delivery.md). The function verifies it again.
    const jwtValidation = {
      type: "jwt-validation",
      jwtValidation: {
        issuer: args.jwt.issuer,
        jwksEndpoint: args.jwt.jwksUri,
        additionalClaims: [
          { format: "single-string", name: "token_use", values: ["access"] },
          { format: "space-separated-values", name: "scope", values: [SCOPES.delete] },
        ],
      },
    };
    for (const [role, listener, checkToken] of [
      ["prod", productionListener, https],
      ["test", testListener, false],
    ] as const) {
      new aws.lb.ListenerRule(
        `${name}-${role}-delete-item`,
        {
          listenerArn: listener.arn,
          priority: DELETE_RULE_PRIORITY,
          conditions: [
            { httpRequestMethod: { values: [DELETE_ITEM_ROUTE.method] } },
            { pathPattern: { values: [DELETE_ITEM_ROUTE.pathPattern] } },
          ],
          actions: [
            ...(checkToken ? [jwtValidation] : []),
            { type: "forward", targetGroupArn: lambdaTargetGroup.arn },
          ],
        },
        { parent: this, dependsOn: [attachment] },
      );
    }

    this.securityGroupId = securityGroup.id;
    this.loadBalancerArnSuffix = loadBalancer.arnSuffix;
    this.dnsName = loadBalancer.dnsName;
    this.accessLogBucket = logs.bucketName;
    this.apiUrl = https
      ? pulumi.output(`https://${domain.name}`)
      : pulumi.interpolate`http://${loadBalancer.dnsName}`;
    this.productionListenerArn = productionListener.arn;
    this.testListenerArn = testListener.arn;
    this.listeners = [productionListener, testListener];
    this.loadBalancerArn = loadBalancer.arn;
    this.registerOutputs({
      dnsName: this.dnsName,
      apiUrl: this.apiUrl,
      productionListenerArn: this.productionListenerArn,
      testListenerArn: this.testListenerArn,
    });
  }
}
