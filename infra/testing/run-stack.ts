import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { MockCloud } from "./mock-cloud";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** One resource as the engine would receive it: inputs plus the options that matter for review. */
export interface DeclaredResource {
  type: string;
  name: string;
  urn: string;
  custom: boolean;
  inputs: Record<string, unknown>;
  /** The physical ID and output state the mocks answered with. */
  id: string;
  state: Record<string, unknown>;
  provider: string;
  parent: string;
  protect: boolean;
  ignoreChanges: string[];
  dependencies: string[];
}

export interface StackRun {
  stack: string;
  config: Record<string, string>;
  resources: DeclaredResource[];
  outputs: Record<string, unknown>;
  /** The stack outputs Pulumi stores encrypted. */
  secretOutputs: string[];
}

/** The `config:` block of `Pulumi.<stack>.yaml`, as the engine passes it to the program. */
export function loadStackConfig(stack: string): Record<string, string> {
  const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  const document = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(document?.config ?? {})) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

export function projectName(): string {
  const document = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    name: string;
  };
  return document.name;
}

interface MonitorRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProtect(): boolean | undefined;
  getIgnorechangesList(): string[];
  getDependenciesList(): string[];
}
type Callback = (error: unknown, response?: { getUrn(): string; getObject(): unknown }) => void;
interface Monitor {
  registerResource(request: MonitorRequest, callback: Callback): void;
}

async function settle(pending: () => number): Promise<void> {
  let quiet = 0;
  while (quiet < 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    quiet = pending() === 0 ? quiet + 1 : 0;
  }
}

function resolveOutput(value: pulumi.Output<unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    value.apply((resolved) => {
      resolve(resolved);
      return resolved;
    });
  });
}

/**
 * Runs the Pulumi program for one stack under mocks, with that stack's real config file, and
 * returns every resource it declares and the stack outputs; `overrides` sets config keys on top,
 * as `pulumi config set` would; `liveColor` is where the listeners forward in AWS (see MockCloud).
 * Call once per process (or Jest file):
 * the Pulumi runtime is global.
 */
export async function runStack(
  stack: string,
  loadProgram: () => Promise<object>,
  overrides: Record<string, string> = {},
  liveColor: "blue" | "green" = "blue",
): Promise<StackRun> {
  const config = { ...loadStackConfig(stack), ...overrides };
  const region = config["aws:region"] ?? "us-east-1";
  const zoneName = config["picus:domainName"]?.split(".").slice(1).join(".");
  const cloud = new MockCloud(region, liveColor, zoneName);
  await pulumi.runtime.setMocks(cloud, projectName(), stack, false);
  pulumi.runtime.setAllConfig(config);

  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  const resources: DeclaredResource[] = [];
  let pending = 0;
  monitor.registerResource = (request, callback) => {
    pending++;
    register(request, (error, response) => {
      if (!error && response) {
        resources.push({
          type: request.getType(),
          name: request.getName(),
          urn: response.getUrn(),
          custom: request.getCustom(),
          ...(cloud.registered.get(`${request.getType()}::${request.getName()}`) ?? {
            inputs: {},
            id: "",
            state: {},
          }),
          provider: request.getProvider(),
          parent: request.getParent(),
          protect: request.getProtect() ?? false,
          ignoreChanges: request.getIgnorechangesList(),
          dependencies: request.getDependenciesList(),
        });
      }
      pending--;
      callback(error, response);
    });
  };

  const program = (await loadProgram()) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [key, value] of Object.entries(program)) {
    if (!pulumi.Output.isInstance<unknown>(value)) continue;
    outputs[key] = await resolveOutput(value);
    if (await pulumi.isSecret(value)) secretOutputs.push(key);
  }
  await settle(() => pending);
  return { stack, config, resources, outputs, secretOutputs };
}
