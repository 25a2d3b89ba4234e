import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * What the pipeline needs to know about the main Pulumi project without running it. The registry
 * names mirror infra/index.ts and infra/components/registry.ts; stack.contract.spec.ts runs the real
 * program under mocks to keep them in step.
 */
const REGISTRY = "picus:registry:Registry";
const REPOSITORY = "aws:ecr/repository:Repository";

function readYaml(root: string, file: string): Record<string, unknown> {
  return (parse(readFileSync(join(root, file), "utf8")) ?? {}) as Record<string, unknown>;
}

export function readProjectName(root: string): string {
  const { name } = readYaml(root, "Pulumi.yaml");
  if (typeof name !== "string") throw new Error("Pulumi.yaml has no project name");
  return name;
}

/** The CPU architecture a stack runs its tasks on (`picus:cpuArchitecture`, ECS naming). */
export function stackArchitecture(root: string, stack: string): string {
  const config = readYaml(root, `Pulumi.${stack}.yaml`).config as
    Record<string, unknown> | undefined;
  const value = config?.["picus:cpuArchitecture"];
  if (typeof value !== "string")
    throw new Error(`Pulumi.${stack}.yaml has no picus:cpuArchitecture`);
  return value;
}

/**
 * The URNs of a targeted `pulumi up` that creates only the stack's ECR repository, with its
 * provider and component: the image is pushed before the full `up` deploys it. On an existing
 * stack it changes nothing.
 */
export function repositoryTargets(project: string, stack: string): string[] {
  const urn = (type: string, name: string) => `urn:pulumi:${stack}::${project}::${type}::${name}`;
  return [
    urn("pulumi:providers:aws", "aws"),
    urn(REGISTRY, "registry"),
    urn(`${REGISTRY}$${REPOSITORY}`, "registry-repo"),
  ];
}

/**
 * The repository URL from `pulumi stack export`: a targeted update refreshes the resource's own
 * state, not the stack outputs.
 */
export function repositoryUrlFromState(exported: string): string {
  let state: {
    deployment?: { resources?: { type?: string; outputs?: { repositoryUrl?: unknown } }[] };
  };
  try {
    state = JSON.parse(exported) as typeof state;
  } catch {
    throw new Error("stack export is not JSON");
  }
  const repositories = (state.deployment?.resources ?? []).filter(
    (resource) => resource.type === REPOSITORY,
  );
  if (repositories.length !== 1) {
    throw new Error(`expected one ECR repository in the stack state, found ${repositories.length}`);
  }
  const url = repositories[0].outputs?.repositoryUrl;
  if (typeof url !== "string" || url === "") {
    throw new Error("the ECR repository in the stack state has no repositoryUrl");
  }
  return url;
}
