import { resolve } from "node:path";
import {
  readProjectName,
  repositoryTargets,
  repositoryUrlFromState,
  stackArchitecture,
} from "./stack";

const ROOT = resolve(__dirname, "..", "..");

function exported(resources: unknown[]): string {
  return JSON.stringify({ version: 3, deployment: { resources } });
}

describe("stack helpers", () => {
  it("targets the provider, the registry component and the repository of one stack", () => {
    expect(repositoryTargets("picus", "prod")).toEqual([
      "urn:pulumi:prod::picus::pulumi:providers:aws::aws",
      "urn:pulumi:prod::picus::picus:registry:Registry::registry",
      "urn:pulumi:prod::picus::picus:registry:Registry$aws:ecr/repository:Repository::registry-repo",
    ]);
  });

  it("reads the project name and each stack's CPU architecture from the real files", () => {
    expect(readProjectName(ROOT)).toBe("picus");
    expect(["ARM64", "X86_64"]).toContain(stackArchitecture(ROOT, "dev"));
    expect(["ARM64", "X86_64"]).toContain(stackArchitecture(ROOT, "prod"));
  });

  it("finds the repository URL in a stack export", () => {
    const url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/registry-repo-1a2b";
    const state = exported([
      { type: "pulumi:pulumi:Stack", outputs: {} },
      { type: "aws:ecr/repository:Repository", outputs: { repositoryUrl: url } },
    ]);

    expect(repositoryUrlFromState(state)).toBe(url);
  });

  it.each([
    ["no repository", exported([]), "found 0"],
    [
      "two repositories",
      exported([
        { type: "aws:ecr/repository:Repository", outputs: { repositoryUrl: "a/b" } },
        { type: "aws:ecr/repository:Repository", outputs: { repositoryUrl: "a/c" } },
      ]),
      "found 2",
    ],
    [
      "a repository without its URL",
      exported([{ type: "aws:ecr/repository:Repository", outputs: {} }]),
      "has no repositoryUrl",
    ],
    ["garbage", "Error: no stack", "not JSON"],
  ])("fails clearly on %s", (_case, state, message) => {
    expect(() => repositoryUrlFromState(state)).toThrow(message);
  });
});
