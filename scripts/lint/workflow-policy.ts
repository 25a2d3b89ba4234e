import { isMap, isScalar, isSeq, parseDocument, type YAMLMap } from "yaml";

export interface WorkflowProblem {
  /** 1-based line number, or 0 for the whole file. */
  line: number;
  message: string;
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const VERSION_COMMENT = /^\s*v\d+(\.\d+){0,2}\b/;

function lineOf(source: string, offset: number | undefined): number {
  if (offset === undefined) return 0;
  return source.slice(0, offset).split("\n").length;
}

function isEmptyMap(node: unknown): boolean {
  return isMap(node) && node.items.length === 0;
}

/** `uses:` references of steps and of reusable-workflow jobs, with their trailing comments. */
function checkUses(source: string, uses: string, line: number): WorkflowProblem[] {
  if (uses.startsWith("./") || uses.startsWith("docker://")) return [];
  const at = uses.lastIndexOf("@");
  const ref = at === -1 ? "" : uses.slice(at + 1);
  if (!FULL_SHA.test(ref)) {
    return [{ line, message: `"${uses}" must be pinned to a full commit SHA` }];
  }
  const text = source.split("\n")[line - 1] ?? "";
  const comment = text.includes("#") ? text.slice(text.indexOf("#") + 1) : "";
  if (!VERSION_COMMENT.test(comment)) {
    return [{ line, message: `"${uses}" needs its release version in a comment (# vX.Y.Z)` }];
  }
  return [];
}

/** The YAML document's root node, or its syntax errors as problems. */
function parseRoot(
  source: string,
): { root: unknown; problems?: undefined } | { root?: undefined; problems: WorkflowProblem[] } {
  const document = parseDocument(source, { keepSourceTokens: true });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) => ({
        line: error.linePos?.[0].line ?? 0,
        message: error.message,
      })),
    };
  }
  return { root: document.contents };
}

/**
 * The project's workflow conventions, which actionlint does not check:
 * `permissions: {}` at the top, a timeout on every job that runs steps, third-party actions pinned
 * to a full commit SHA with the version in a comment, no long-lived AWS keys, and deploy
 * concurrency groups that never cancel a run in progress.
 */
export function checkWorkflowPolicy(source: string): WorkflowProblem[] {
  const parsed = parseRoot(source);
  if (parsed.problems !== undefined) return parsed.problems;
  const { root } = parsed;
  if (!isMap(root)) return [{ line: 0, message: "a workflow must be a YAML mapping" }];

  const problems: WorkflowProblem[] = [];
  if (!isEmptyMap(root.get("permissions", true))) {
    problems.push({ line: 0, message: "the workflow must declare `permissions: {}` at the top" });
  }
  if (/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/.test(source)) {
    problems.push({ line: 0, message: "AWS access must go through OIDC, never stored keys" });
  }

  const jobs = root.get("jobs", true);
  if (!isMap(jobs)) return [...problems, { line: 0, message: "the workflow has no jobs" }];

  for (const pair of jobs.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : "?";
    const job = pair.value;
    if (!isMap(job)) continue;
    const jobLine = lineOf(source, isScalar(pair.key) ? pair.key.range?.[0] : undefined);
    problems.push(...checkJob(source, name, job, jobLine));
  }
  return problems.sort((a, b) => a.line - b.line);
}

function checkJob(source: string, name: string, job: YAMLMap, jobLine: number): WorkflowProblem[] {
  const problems: WorkflowProblem[] = [];
  const calledWorkflow = job.get("uses", true);
  if (isScalar(calledWorkflow)) {
    const line = lineOf(source, calledWorkflow.range?.[0]);
    return checkUses(source, String(calledWorkflow.value), line);
  }
  if (!job.has("timeout-minutes")) {
    problems.push({ line: jobLine, message: `job "${name}" needs timeout-minutes` });
  }
  const concurrency = job.get("concurrency", true);
  if (
    isMap(concurrency) &&
    concurrency.get("cancel-in-progress") === true &&
    job.has("environment")
  ) {
    problems.push({
      line: jobLine,
      message: `deploy job "${name}" must not cancel a run in progress`,
    });
  }
  const steps = job.get("steps", true);
  problems.push(...checkStepsUses(source, steps));
  return problems;
}

/** Every `uses:` of a step list must be pinned to a full commit SHA with its version in a comment. */
function checkStepsUses(source: string, steps: unknown): WorkflowProblem[] {
  if (!isSeq(steps)) return [];
  return steps.items.flatMap((step) => {
    const uses = isMap(step) ? step.get("uses", true) : undefined;
    return isScalar(uses)
      ? checkUses(source, String(uses.value), lineOf(source, uses.range?.[0]))
      : [];
  });
}

/** Composite actions (`.github/actions/<name>/action.yml`): their steps' actions are pinned the same way. */
export function checkActionPolicy(source: string): WorkflowProblem[] {
  const parsed = parseRoot(source);
  if (parsed.problems !== undefined) return parsed.problems;
  const { root } = parsed;
  const runs = isMap(root) ? root.get("runs", true) : undefined;
  return checkStepsUses(source, isMap(runs) ? runs.get("steps", true) : undefined);
}
