import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "./config";

describe("bootstrap settings", () => {
  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      { newResource: (args) => ({ id: args.name, state: args.inputs }), call: () => ({}) },
      "picus-bootstrap",
      "main",
      false,
    );
  });

  function withConfig(config: Record<string, string>) {
    pulumi.runtime.setAllConfig({
      "picus-bootstrap:githubOwner": "acme",
      "picus-bootstrap:githubRepo": "picus",
      ...config,
    });
    return loadSettings();
  }

  it("defaults to the dev and prod stacks of the picus project, with a preview role", () => {
    expect(withConfig({})).toEqual({
      githubOwner: "acme",
      githubRepo: "picus",
      stacks: ["dev", "prod"],
      projectName: "picus",
      existingOidcProviderArn: undefined,
      previewRole: true,
    });
  });

  it("rejects an owner or repository that could widen the trust subject", () => {
    expect(() => withConfig({ "picus-bootstrap:githubOwner": "*" })).toThrow(
      'picus-bootstrap:githubOwner must be a plain GitHub name, got "*"',
    );
    expect(() => withConfig({ "picus-bootstrap:githubRepo": "picus:environment:prod" })).toThrow(
      "picus-bootstrap:githubRepo must be a plain GitHub name",
    );
  });

  it("rejects stack names that are not plain lower-case names", () => {
    expect(() => withConfig({ "picus-bootstrap:stacks": '["dev", "Prod*"]' })).toThrow(
      "picus-bootstrap:stacks must list lower-case stack names",
    );
    expect(() => withConfig({ "picus-bootstrap:stacks": "[]" })).toThrow();
  });

  it("reuses an existing OIDC provider when one is given", () => {
    const arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

    expect(
      withConfig({ "picus-bootstrap:existingOidcProviderArn": arn }).existingOidcProviderArn,
    ).toBe(arn);
  });
});
