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
  ])("rejects %s = %s with a clear message", (key, value, message) => {
    expect(() => settingsWith({ [key]: value })).toThrow(message);
  });

  it("accepts a digest reference as the image", () => {
    const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/picus@sha256:${"0".repeat(64)}`;
    expect(settingsWith({ "picus:image": image }).image).toBe(image);
  });
});
