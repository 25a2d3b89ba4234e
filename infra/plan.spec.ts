import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

const REPO_ROOT = path.resolve(__dirname, "..");
const run = promisify(execFile);

/** `npm run plan -- <stack>`, as a reviewer runs it: a fresh process, no credentials, no CLI. */
async function plan(stack: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "infra/plan.ts", stack], {
    cwd: REPO_ROOT,
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  return stdout;
}

describe("npm run plan", () => {
  let dev: string;
  let prod: string;
  beforeAll(async () => {
    [dev, prod] = await Promise.all([plan("dev"), plan("prod")]);
  }, 90_000);

  it("lists every resource with its type, name and settings", () => {
    expect(dev).toMatch(/^# dev: \d+ resources/);
    expect(dev).toContain("aws:dynamodb/table:Table  data-items\n");
    expect(dev).toContain('    billingMode = "PAY_PER_REQUEST"');
    expect(dev).toMatch(
      /aws:ecs\/service:Service {2}api-service {2}\[ignoreChanges=taskDefinition,loadBalancers,desiredCount,networkConfiguration\]/,
    );
    expect(dev).toContain('    policy.Statement[0].Action[0] = "dynamodb:DeleteItem"');
    expect(dev).toContain("# outputs");
  });

  it("shows what differs between dev and prod", () => {
    expect(dev).toContain('    natGateways.strategy = "Single"');
    expect(prod).toContain('    natGateways.strategy = "OnePerAz"');
    expect(prod).toContain("aws:dynamodb/table:Table  data-items  [protect]");
    expect(prod).toContain(
      '    deploymentConfigName = "CodeDeployDefault.ECSCanary10Percent5Minutes"',
    );
  });

  it("prints the same inventory every run, so two runs diff cleanly", async () => {
    expect(await plan("dev")).toBe(dev);
  }, 60_000);

  it("hides secrets", () => {
    expect(dev).not.toContain("mock-registry-password");
    expect(dev).toContain("[secret]");
  });

  it("rejects an unknown stack with usage", async () => {
    await expect(plan("nope")).rejects.toMatchObject({ code: 2 });
  });
});
