/**
 * `npm run plan -- dev [--json]`: every resource a stack declares, with its settings and options,
 * from the program under mocks with the stack's config. No credentials, no CLI; diff two stacks.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, runStack, type DeclaredResource, type StackRun } from "./testing/run-stack";

const HIDDEN_INPUTS = new Set(["__defaults", "code"]);
const SECRET_KEY = /password|secret|token/i;
/** How the engine marks a secret value in serialized inputs. */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";

function parseJson(value: string): unknown {
  if (!/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function flatten(value: unknown, prefix: string, lines: string[]): void {
  if (typeof value === "string") value = parseJson(value.split(REPO_ROOT).join("."));
  if (Array.isArray(value)) {
    if (value.length === 0) lines.push(`${prefix} = []`);
    value.forEach((item, index) => flatten(item, `${prefix}[${index}]`, lines));
  } else if (value !== null && typeof value === "object" && SECRET_SIGNATURE in value) {
    lines.push(`${prefix} = [secret]`);
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a.localeCompare(b),
    );
    if (entries.length === 0) lines.push(`${prefix} = {}`);
    for (const [key, item] of entries) {
      if (SECRET_KEY.test(key)) lines.push(`${prefix}.${key} = [secret]`);
      else flatten(item, prefix === "" ? key : `${prefix}.${key}`, lines);
    }
  } else {
    lines.push(`${prefix} = ${JSON.stringify(value)}`);
  }
}

function describeResource(resource: DeclaredResource, names: Map<string, string>): string[] {
  const flags = [
    resource.protect ? "protect" : "",
    resource.ignoreChanges.length > 0 ? `ignoreChanges=${resource.ignoreChanges.join(",")}` : "",
  ].filter(Boolean);
  const lines = [
    `${resource.type}  ${resource.name}${flags.length > 0 ? `  [${flags.join(" ")}]` : ""}`,
  ];
  const dependsOn = resource.dependencies.map((urn) => names.get(urn) ?? urn).sort();
  if (dependsOn.length > 0) lines.push(`    dependsOn = ${dependsOn.join(", ")}`);
  const settings: string[] = [];
  for (const [key, value] of Object.entries(resource.inputs).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (HIDDEN_INPUTS.has(key)) continue;
    if (resource.type === "command:local:Command" && key === "triggers") {
      settings.push("triggers = [the time of each pulumi up: the rollout check runs every time]");
      continue;
    }
    if (SECRET_KEY.test(key)) settings.push(`${key} = [secret]`);
    else flatten(value, key, settings);
  }
  if ("code" in resource.inputs)
    settings.push("code = <esbuild bundle of functions/src/delete-item>");
  return [...lines, ...settings.sort().map((line) => `    ${line}`)];
}

export function renderInventory(run: StackRun): string {
  const names = new Map(run.resources.map((r) => [r.urn, r.name]));
  const resources = [...run.resources].sort(
    (a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
  );
  const header = [
    `# ${run.stack}: ${resources.length} resources (Pulumi program under mocks; no credentials, no CLI)`,
    `# config: Pulumi.${run.stack}.yaml`,
    ...Object.entries(run.config)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `#   ${key} = ${value}`),
    "",
  ];
  const outputs = Object.entries(run.outputs).map(
    ([key, value]) => `#   ${key} = ${JSON.stringify(value)}`,
  );
  return [
    ...header,
    ...resources.flatMap((resource) => [...describeResource(resource, names), ""]),
    "# outputs",
    ...outputs,
    "",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const stack = argv.find((arg) => !arg.startsWith("--"));
  if (stack === undefined || !existsSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`))) {
    console.error("usage: npm run plan -- <stack> [--json]   (a stack with a Pulumi.<stack>.yaml)");
    return 2;
  }
  const run = await runStack(stack, () => import("./index"));
  const text = argv.includes("--json") ? `${JSON.stringify(run, null, 2)}\n` : renderInventory(run);
  // Exit only once the pipe has taken everything: an early exit truncates piped output.
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
