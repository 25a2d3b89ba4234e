import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/**
 * What the pipeline needs to know about the main Pulumi project without running it. The names of
 * the registry resources mirror infra/index.ts and infra/components/registry.ts; a contract test
 * runs the real program under mocks to keep them in step.
 */
export const REGISTRY_COMPONENT = { type: "picus:registry:Registry", name: "registry" };
export const REPOSITORY_RESOURCE = { type: "aws:ecr/repository:Repository", name: "registry-repo" };
export const AWS_PROVIDER = { type: "pulumi:providers:aws", name: "aws" };

export function readProjectName(root: string): string {
  const document = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { name?: unknown };
  if (typeof document.name !== "string") throw new Error("Pulumi.yaml has no project name");
  return document.name;
}

export function readStackConfig(root: string, stack: string): Record<string, unknown> {
  const file = join(root, `Pulumi.${stack}.yaml`);
  const document = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return document?.config ?? {};
}

/** The CPU architecture a stack runs its tasks on (`picus:cpuArchitecture`, ECS naming). */
export function stackArchitecture(root: string, stack: string): string {
  const value = readStackConfig(root, stack)["picus:cpuArchitecture"];
  if (typeof value !== "string")
    throw new Error(`Pulumi.${stack}.yaml has no picus:cpuArchitecture`);
  return value;
}

function urn(project: string, stack: string, qualifiedType: string, name: string): string {
  return `urn:pulumi:${stack}::${project}::${qualifiedType}::${name}`;
}

/**
 * The URNs of a targeted `pulumi up` that creates only the stack's ECR repository (with the provider
 * and the component it belongs to): the image must be pushed before the full `up` can deploy it.
 * Idempotent: on an existing stack it changes nothing.
 */
export function repositoryTargets(project: string, stack: string): string[] {
  return [
    urn(project, stack, AWS_PROVIDER.type, AWS_PROVIDER.name),
    urn(project, stack, REGISTRY_COMPONENT.type, REGISTRY_COMPONENT.name),
    urn(
      project,
      stack,
      `${REGISTRY_COMPONENT.type}$${REPOSITORY_RESOURCE.type}`,
      REPOSITORY_RESOURCE.name,
    ),
  ];
}

interface ExportedResource {
  type?: unknown;
  urn?: unknown;
  outputs?: Record<string, unknown>;
}

/**
 * The repository URL from `pulumi stack export` (the stack's outputs are not refreshed by a
 * targeted update, the resource's own state is).
 */
export function repositoryUrlFromState(exported: string): string {
  let document: { deployment?: { resources?: ExportedResource[] } };
  try {
    document = JSON.parse(exported) as typeof document;
  } catch {
    throw new Error("stack export is not JSON");
  }
  const repositories = (document.deployment?.resources ?? []).filter(
    (resource) => resource.type === REPOSITORY_RESOURCE.type,
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
