import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "./config";
import { loadStackConfig } from "./testing/run-stack";

function settingsWith(overrides: Record<string, string>) {
  pulumi.runtime.setAllConfig({ ...loadStackConfig("dev"), ...overrides });
  return loadSettings();
}

describe("loadSettings", () => {
  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      { newResource: () => ({ id: "", state: {} }), call: () => ({}) },
      "picus",
      "dev",
    );
  });

  it("reads Pulumi.dev.yaml into typed settings", () => {
    const settings = settingsWith({});
    expect(settings).toMatchObject({
      stack: "dev",
      region: "eu-west-1",
      network: { availabilityZones: 2, natStrategy: "Single" },
      edge: { ingressCidrs: ["0.0.0.0/0"], testTrafficCidrs: [] },
      service: { cpu: 256, memory: 512, architecture: "ARM64", minCapacity: 1, maxCapacity: 2 },
    });
    expect(settings.image).toBeUndefined();
  });

  it.each([
    [
      "picus:image",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/picus:latest",
      /digest reference/,
    ],
    ["picus:natGateways", "None", /must be one of Single, OnePerAz/],
    ["picus:albIngressCidrs", '["everywhere"]', /invalid CIDRs: everywhere/],
    ["picus:logRetentionDays", "10", /logRetentionDays must be one of/],
    ["picus:cpuArchitecture", "arm", /must be one of ARM64, X86_64/],
    ["picus:availabilityZones", "1", /availabilityZones/],
    ["picus:requireHttps", "true", /requireHttps is true: set picus:domainName/],
    ["picus:certificateArn", "arn:aws:acm:eu-west-1:123456789012:certificate/1", /is gone/],
    ["picus:domainName", "api.picus.acme.test", /set together or not at all/],
    ["picus:authDomainPrefix", "picus-aws-dev", /not a valid Cognito prefix/],
    ["picus:wafRateLimit", "5", /wafRateLimit/],
    // Shorter than dev's termination wait (1) + 15 minutes of margin: it would stop good rollouts.
    ["picus:rolloutTimeoutMinutes", "10", /rolloutTimeoutMinutes.*16/],
    [
      "picus:apiClients",
      JSON.stringify([{ name: "billing", scopes: ["picus/admin"] }]),
      /apiClients is invalid/,
    ],
    [
      "picus:apiClients",
      JSON.stringify([{ name: "smoke", scopes: ["picus/read"] }]),
      /smoke is the pipeline's own client/,
    ],
    [
      "picus:apiClients",
      JSON.stringify([
        { name: "billing", scopes: ["picus/read"] },
        { name: "billing", scopes: ["picus/write"] },
      ]),
      /names must be unique/,
    ],
  ])("rejects %s = %s with a clear message", (key, value, message) => {
    expect(() => settingsWith({ [key]: value })).toThrow(message);
  });

  it("reads the domain and the consumers' clients", () => {
    const settings = settingsWith({
      "picus:requireHttps": "true",
      "picus:domainName": "api.picus.acme.test",
      "picus:hostedZoneId": "Z0123456789ABCDEFGHIJ",
      "picus:apiClients": JSON.stringify([{ name: "billing", scopes: ["picus/read"] }]),
    });
    expect(settings.edge.domain).toEqual({
      name: "api.picus.acme.test",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
    });
    expect(settings.identity).toEqual({
      apiClients: [{ name: "billing", scopes: ["picus/read"] }],
      accessTokenMinutes: 15,
      domainPrefix: undefined,
    });
  });

  it("accepts a digest reference as the image", () => {
    const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/picus@sha256:${"0".repeat(64)}`;
    expect(settingsWith({ "picus:image": image }).image).toBe(image);
  });
});
