import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { actionlint } from "./actionlint";
import { checkActionPolicy, checkWorkflowPolicy } from "./workflow-policy";

/** The repository's own workflows: they lint clean, and the delivery order cannot silently change. */
const GITHUB = resolve(__dirname, "..", "..", ".github");

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  needs?: string | string[];
  if?: string;
  uses?: string;
  environment?: { name: string };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
  steps?: Step[];
  "timeout-minutes"?: number;
  env?: Record<string, string>;
  strategy?: { matrix: { stack?: string[] } };
}

interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

function workflow(name: string): Workflow {
  return parse(readFileSync(join(GITHUB, "workflows", name), "utf8")) as Workflow;
}

function usesOf(job: Job): string[] {
  return (job.steps ?? []).map((step) => step.uses ?? "");
}

describe("the repository's workflows", () => {
  const files = readdirSync(join(GITHUB, "workflows")).filter((file) => file.endsWith(".yml"));

  it.each(files)("%s passes actionlint and the project conventions", async (file) => {
    const source = readFileSync(join(GITHUB, "workflows", file), "utf8");

    expect(await actionlint(source, file)).toEqual([]);
    expect(checkWorkflowPolicy(source)).toEqual([]);
  });

  it.each(readdirSync(join(GITHUB, "actions")))("composite action %s pins its actions", (name) => {
    const source = readFileSync(join(GITHUB, "actions", name, "action.yml"), "utf8");

    expect(checkActionPolicy(source)).toEqual([]);
  });

  it("delivers main through dev to prod, prod only after dev and behind its environment", () => {
    const delivery = workflow("delivery.yml");
    const { dev, prod, checks } = delivery.jobs;

    expect(Object.keys(delivery.on)).toEqual(["push"]);
    expect(checks.uses).toBe("./.github/workflows/lint-and-test.yml");
    expect(dev.needs).toBe("checks");
    expect(prod.needs).toBe("dev");
    expect(dev.environment?.name).toBe("dev");
    expect(prod.environment?.name).toBe("prod");
    expect(dev.concurrency).toEqual({ group: "deploy-dev", "cancel-in-progress": false });
    expect(prod.concurrency).toEqual({ group: "deploy-prod", "cancel-in-progress": false });
  });

  it("builds the image only in dev and deploys prod with dev's digest", () => {
    const { dev, prod } = workflow("delivery.yml").jobs;
    const promote = prod.steps?.find((step) => step.id === "image");

    expect(usesOf(dev).some((uses) => uses.startsWith("docker/build-push-action@"))).toBe(true);
    expect(usesOf(prod).some((uses) => uses.startsWith("docker/build-push-action@"))).toBe(false);
    expect(promote?.env?.SOURCE).toBe("${{ needs.dev.outputs.image }}");
    expect(promote?.run).toContain("deploy-helper -- promote");
  });

  it("grants OIDC only to jobs that assume an AWS role", () => {
    for (const name of ["delivery.yml", "pull-request.yml"]) {
      for (const job of Object.values(workflow(name).jobs)) {
        const assumesRole = usesOf(job).some((uses) =>
          uses.startsWith("aws-actions/configure-aws-credentials@"),
        );
        expect(job.permissions?.["id-token"] === "write").toBe(assumesRole);
      }
    }
  });

  it("lets every job that opens a stack decrypt it without a passphrase", () => {
    // `stack select --create --secrets-provider` only writes the KMS key into the checkout's
    // Pulumi.<stack>.yaml when it creates the stack; later runs must read it from the state.
    const jobs = [
      workflow("delivery.yml").jobs.dev,
      workflow("delivery.yml").jobs.prod,
      workflow("pull-request.yml").jobs.preview,
    ];
    for (const job of jobs) {
      expect(job.env?.PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER).toBe("true");
    }
  });

  it("previews both stacks with the policy pack on pull requests, commenting the diff", () => {
    const preview = workflow("pull-request.yml").jobs.preview;
    const pulumi = preview.steps?.find((step) => step.with?.command === "preview");

    expect(preview.strategy?.matrix.stack).toEqual(["dev", "prod"]);
    expect(pulumi?.with).toMatchObject({
      policyPacks: "infra/policy",
      "comment-on-pr": true,
      "stack-name": "${{ matrix.stack }}",
    });
    expect(preview.permissions).toEqual({
      contents: "read",
      "id-token": "write",
      "pull-requests": "write",
    });
  });
});
