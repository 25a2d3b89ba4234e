import * as pulumi from "@pulumi/pulumi";

export interface BootstrapSettings {
  githubOwner: string;
  githubRepo: string;
  /** Stacks of the main project; each is also the name of its GitHub environment. */
  stacks: string[];
  /** The main Pulumi project (its Pulumi.yaml `name`), used to scope state access per stack. */
  projectName: string;
  existingOidcProviderArn?: string;
  /** Whether to create the read-only role that pull-request previews assume. */
  previewRole: boolean;
}

const GITHUB_NAME = /^[A-Za-z0-9_.-]+$/;
const STACK_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export function loadSettings(): BootstrapSettings {
  const config = new pulumi.Config();
  const githubName = (key: string) => {
    const value = config.require(key);
    if (GITHUB_NAME.test(value)) return value;
    throw new Error(`picus-bootstrap:${key} must be a plain GitHub name, got "${value}"`);
  };
  const githubOwner = githubName("githubOwner");
  const githubRepo = githubName("githubRepo");
  const stacks = config.getObject<string[]>("stacks") ?? ["dev", "prod"];
  if (stacks.length === 0 || stacks.some((stack) => !STACK_NAME.test(stack))) {
    throw new Error(
      `picus-bootstrap:stacks must list lower-case stack names, got ${JSON.stringify(stacks)}`,
    );
  }
  return {
    githubOwner,
    githubRepo,
    stacks,
    projectName: config.get("projectName") ?? "picus",
    existingOidcProviderArn: config.get("existingOidcProviderArn"),
    previewRole: config.getBoolean("previewRole") ?? true,
  };
}
