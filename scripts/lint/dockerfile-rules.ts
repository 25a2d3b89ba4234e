import { validate, ValidationSeverity, type ValidatorSettings } from "dockerfile-utils";

export interface DockerfileProblem {
  /** 1-based line number. */
  line: number;
  message: string;
}

/** Stricter than the defaults: every syntax-level finding fails the lint, not only errors. */
const VALIDATOR_SETTINGS: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Joins `\` continuations and drops comments and parser directives. */
function parseInstructions(content: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = content.split(/\r?\n/);
  let pending: Instruction | undefined;
  lines.forEach((raw, index) => {
    const text = raw.trim();
    if (pending === undefined && (text === "" || text.startsWith("#"))) return;
    if (pending !== undefined && text.startsWith("#")) return;
    const continues = text.endsWith("\\");
    const body = continues ? text.slice(0, -1) : text;
    if (pending === undefined) {
      const match = /^(\S+)\s*(.*)$/.exec(body);
      if (match === null) return;
      pending = { line: index + 1, keyword: match[1].toUpperCase(), args: match[2] };
    } else {
      pending.args = `${pending.args} ${body}`.trim();
    }
    if (!continues) {
      instructions.push(pending);
      pending = undefined;
    }
  });
  if (pending !== undefined) instructions.push(pending);
  return instructions;
}

function withoutFlags(args: string): string[] {
  return args.split(/\s+/).filter((word) => word !== "" && !word.startsWith("--"));
}

function imageIsPinned(image: string): boolean {
  if (image.includes("@sha256:")) return true;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  if (colon === -1) return false;
  const tag = lastSegment.slice(colon + 1);
  return tag !== "" && tag !== "latest";
}

/** Project rules that a syntax validator does not cover (hadolint-style best practices). */
function projectRules(instructions: Instruction[]): DockerfileProblem[] {
  const problems: DockerfileProblem[] = [];
  const stageNames = new Set<string>();
  const globalArgs = new Map<string, string>();
  let finalStageUser: Instruction | undefined;
  let sawFrom = false;

  for (const instruction of instructions) {
    if (instruction.keyword === "ARG" && !sawFrom) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)/.exec(instruction.args);
      if (match !== null) globalArgs.set(match[1], match[2].replace(/^["']|["']$/g, ""));
    }
    if (instruction.keyword === "FROM") {
      sawFrom = true;
      finalStageUser = undefined;
      const [written, as, name] = withoutFlags(instruction.args);
      if (written === undefined) continue;
      // Global ARG defaults (`ARG NODE_IMAGE=node:22`) are what a plain build uses.
      const image = written.replace(
        /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
        (whole, variable: string) => globalArgs.get(variable) ?? whole,
      );
      const isStage = stageNames.has(image.toLowerCase()) || image === "scratch";
      if (!isStage && !image.includes("$") && !imageIsPinned(image)) {
        problems.push({
          line: instruction.line,
          message: `base image "${image}" must carry an explicit tag or digest (not latest)`,
        });
      }
      if (as?.toUpperCase() === "AS" && name !== undefined) stageNames.add(name.toLowerCase());
    }
    if (instruction.keyword === "USER") finalStageUser = instruction;
    if (instruction.keyword === "ADD" && /\bhttps?:\/\//i.test(instruction.args)) {
      problems.push({
        line: instruction.line,
        message: "ADD of a remote URL is not reproducible; download in a RUN step with a checksum",
      });
    }
  }

  if (sawFrom) {
    const user = finalStageUser?.args.split(":")[0].trim();
    if (user === undefined || user === "" || user === "root" || user === "0") {
      problems.push({
        line: finalStageUser?.line ?? instructions[instructions.length - 1].line,
        message: "the final stage must switch to a non-root USER",
      });
    }
  }
  return problems;
}

/** Lints one Dockerfile: dockerfile-utils' validator plus the project rules, sorted by line. */
export function lintDockerfile(content: string): DockerfileProblem[] {
  const syntax = validate(content, VALIDATOR_SETTINGS).map((diagnostic) => ({
    line: diagnostic.range.start.line + 1,
    message: typeof diagnostic.message === "string" ? diagnostic.message : diagnostic.message.value,
  }));
  return [...syntax, ...projectRules(parseInstructions(content))].sort((a, b) => a.line - b.line);
}
