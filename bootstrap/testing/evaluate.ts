import type { PolicyDocument, PolicyStatement } from "../policies";

/** One API call as IAM sees it: the action, the resource ARN and the request context keys. */
export interface Request {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

/** IAM's base operators, for one request value against the policy's values (any of them). */
function compare(operator: string, actual: string, expected: string[]): boolean {
  switch (operator) {
    case "StringEquals":
    case "ArnEquals":
    case "Bool":
      return expected.includes(actual);
    case "StringNotEquals":
    case "ArnNotEquals":
      return !expected.includes(actual);
    case "StringLike":
    case "ArnLike":
      return expected.some((pattern) => wildcard(pattern, actual, false));
    case "StringNotLike":
    case "ArnNotLike":
      return !expected.some((pattern) => wildcard(pattern, actual, false));
    default:
      throw new Error(`the evaluator does not model ${operator}`);
  }
}

/**
 * IAM's documented condition rules: a key absent from the request makes a plain operator false and
 * a negated one true; `...IfExists` is true when the key is absent; `Null: "false"` holds only when
 * the key is present; `ForAnyValue:`/`ForAllValues:` range over a multivalued key (ForAllValues is
 * true for an absent key). Operators and keys are ANDed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
function conditionHolds(statement: PolicyStatement, context: Record<string, string | string[]>) {
  return Object.entries(statement.Condition ?? {}).every(([fullOperator, keys]) =>
    Object.entries(keys).every(([key, value]) => {
      const expected = list(value);
      const actual = context[key];
      if (fullOperator === "Null") return (actual === undefined) === (expected[0] === "true");
      const [qualifier, rest] = fullOperator.includes(":")
        ? fullOperator.split(":")
        : [undefined, fullOperator];
      const ifExists = rest.endsWith("IfExists");
      const operator = ifExists ? rest.slice(0, -"IfExists".length) : rest;
      if (actual === undefined) {
        return ifExists || qualifier === "ForAllValues" || operator.includes("Not");
      }
      const values = list(actual);
      return qualifier === "ForAllValues"
        ? values.every((one) => compare(operator, one, expected))
        : values.some((one) => compare(operator, one, expected));
    }),
  );
}

function applies(statement: PolicyStatement, request: Request): boolean {
  const actionMatches = (patterns: string | string[] | undefined) =>
    list(patterns).some((pattern) => wildcard(pattern, request.action, true));
  const action =
    statement.NotAction !== undefined
      ? !actionMatches(statement.NotAction)
      : actionMatches(statement.Action);
  const resource = list(statement.Resource).some((pattern) =>
    wildcard(pattern, request.resource, false),
  );
  return action && resource && conditionHolds(statement, request.context ?? {});
}

/** An identity policy's verdict: an explicit deny wins, then any allow, else nothing is allowed. */
export function evaluate(policy: PolicyDocument, request: Request): Decision {
  const matching = policy.Statement.filter((statement) => applies(statement, request));
  if (matching.some((statement) => statement.Effect === "Deny")) return "ExplicitDeny";
  return matching.some((statement) => statement.Effect === "Allow") ? "Allow" : "ImplicitDeny";
}
