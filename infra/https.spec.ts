import { runStack, type StackRun } from "./testing/run-stack";
import { describeStack, PROD_EXPECTATIONS } from "./testing/stack-suite";
import { named } from "./testing/query";

/** An image promoted from another repository, as CI sets it: pinned by digest. */
const PROMOTED = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/picus-dev-images@sha256:${"ab".repeat(32)}`;

// Pulumi.prod.yaml plus what an operator sets with `pulumi config set` on a grown-up account.
let run: StackRun;
beforeAll(async () => {
  run = await runStack("prod", () => import("./index"), {
    "picus:domainName": "api.picus.acme.test",
    "picus:hostedZoneId": "Z0123456789ABCDEFGHIJ",
    "picus:apiClients": JSON.stringify([
      { name: "billing", scopes: ["picus/read"] },
      { name: "importer", scopes: ["picus/read", "picus/write"] },
    ]),
    "picus:accessTokenMinutes": "15",
    "picus:image": PROMOTED,
    "picus:albIngressCidrs": JSON.stringify(["203.0.113.0/24"]),
    "picus:alarmEmail": "oncall@example.com",
    "picus:deleteFunctionReservedConcurrency": "20",
  });
});

describe("prod with its domain, consumers, a promoted image, restricted ingress and reserved concurrency", () => {
  describeStack(() => run, { ...PROD_EXPECTATIONS, reservedConcurrency: 20, builtImage: false });

  it("lets the execution role pull the promoted image from its repository", () => {
    const policy = JSON.parse(
      named(run, "aws:iam/rolePolicy:RolePolicy", "api-execution-policy").inputs.policy as string,
    ) as {
      Statement: { Sid: string; Resource: string[] }[];
    };
    const pull = policy.Statement.find((statement) => statement.Sid === "EcrPull");
    expect(pull?.Resource).toContain(
      "arn:aws:ecr:eu-west-1:123456789012:repository/picus-dev-images",
    );
  });

  it("mails alarms to the configured address", () => {
    expect(
      named(run, "aws:sns/topicSubscription:TopicSubscription", "monitoring-alarms-email").inputs,
    ).toMatchObject({
      protocol: "email",
      endpoint: "oncall@example.com",
    });
  });

  it("exports each consumer's client credentials", () => {
    const clients = run.outputs.apiClientCredentials as Record<string, Record<string, string>>;
    expect(Object.keys(clients)).toEqual(["billing", "importer"]);
    expect(clients.billing).toEqual({
      clientId: named(run, "aws:cognito/userPoolClient:UserPoolClient", "identity-client-billing")
        .id,
      clientSecret: expect.stringMatching(/^mock-client-secret-/),
    });
  });
});
