import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_PREFIX } from "../../lib/routes";
import { stackPrefix } from "../naming";

export interface FirewallArgs {
  loadBalancerArn: pulumi.Input<string>;
  /** Requests per client IP per 5 minutes; above it, that IP is blocked until it slows down. */
  rateLimit: number;
  logRetentionDays: number;
}

/** The one route that takes a large body: items up to DynamoDB's 400 KB. */
export const PUT_ROUTE = { method: "POST", path: `${API_PREFIX}/put` };
/** What WAF may inspect of a body behind an ALB (not configurable there); the rest is oversize. */
export const INSPECTED_BODY_BYTES = 8192;

type Rule = aws.types.input.wafv2.WebAclRule;
type Statement = aws.types.input.wafv2.WebAclRuleStatement;
type Override =
  aws.types.input.wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverride;
const visibility = (metricName: string) => ({
  metricName,
  cloudwatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
});
const none = [{ priority: 0, type: "NONE" }];
const exactly = (searchString: string, fieldToMatch: object): Statement => ({
  byteMatchStatement: {
    searchString,
    fieldToMatch,
    positionalConstraint: "EXACTLY",
    textTransformations: none,
  },
});
const block = (name: string, statement: Statement): Omit<Rule, "priority"> => ({
  name,
  action: { block: {} },
  statement,
  visibilityConfig: visibility(name),
});
const managed = (name: string, ruleActionOverrides?: Override[]): Omit<Rule, "priority"> => ({
  name,
  overrideAction: { none: {} },
  statement: { managedRuleGroupStatement: { vendorName: "AWS", name, ruleActionOverrides } },
  visibilityConfig: visibility(name),
});

/**
 * A regional web ACL on the load balancer: a per-IP rate limit, AWS's IP reputation, known bad
 * inputs and common rule sets, and a body-size rule that lets only `POST /picus/put` send more than
 * 8 KB. Logs go to `aws-waf-logs-<project>-<stack>` without the Authorization header.
 */
export class Firewall extends pulumi.ComponentResource {
  public readonly webAclName: pulumi.Output<string>;

  constructor(name: string, args: FirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:edge:Firewall", name, {}, opts);
    const stack = stackPrefix();

    const rules = [
      block("rate-per-ip", {
        rateBasedStatement: {
          limit: args.rateLimit,
          aggregateKeyType: "IP",
          evaluationWindowSec: 300,
        },
      }),
      managed("AWSManagedRulesAmazonIpReputationList"),
      managed("AWSManagedRulesKnownBadInputsRuleSet"),
      // Its 8 KB body limit would refuse most items: counted here, enforced by the next rule.
      managed("AWSManagedRulesCommonRuleSet", [
        { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
      ]),
      block("large-body-only-on-put", {
        andStatement: {
          statements: [
            {
              sizeConstraintStatement: {
                comparisonOperator: "GT",
                size: INSPECTED_BODY_BYTES,
                fieldToMatch: { body: { oversizeHandling: "MATCH" } },
                textTransformations: none,
              },
            },
            {
              notStatement: {
                statement: {
                  andStatement: {
                    statements: [
                      exactly(PUT_ROUTE.method, { method: {} }),
                      exactly(PUT_ROUTE.path, { uriPath: {} }),
                    ],
                  },
                },
              },
            },
          ],
        },
      }),
    ];
    const acl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        visibilityConfig: visibility(stack),
        rules: rules.map((rule, priority) => ({ ...rule, priority })),
      },
      { parent: this },
    );
    new aws.wafv2.WebAclAssociation(
      `${name}-alb`,
      { resourceArn: args.loadBalancerArn, webAclArn: acl.arn },
      { parent: this },
    );

    // WAF writes only to log groups whose name starts with `aws-waf-logs-`.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `aws-waf-logs-${stack}`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: acl.arn,
        logDestinationConfigs: [logGroup.arn],
        redactedFields: [{ singleHeader: { name: "authorization" } }],
      },
      { parent: this },
    );

    this.webAclName = acl.name;
    this.registerOutputs({ webAclName: this.webAclName });
  }
}
