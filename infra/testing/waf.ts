/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- engine inputs are untyped JSON */
/** A request as the web ACL's own rules see it. */
export interface WafRequest {
  method: string;
  uriPath: string;
  bodyBytes: number;
}

type Statement = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- engine inputs are untyped JSON

/** What WAF may inspect of a body behind an ALB; the rest is "oversize" (AWS WAF developer guide). */
const ALB_BODY_INSPECTION_BYTES = 8192;

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  EQ: (a, b) => a === b,
  NE: (a, b) => a !== b,
  LE: (a, b) => a <= b,
  LT: (a, b) => a < b,
  GE: (a, b) => a >= b,
  GT: (a, b) => a > b,
};

/**
 * Whether a statement matches, for the statement kinds the picus web ACL uses (and, or, not, body
 * size, exact byte match on method or path, without transformations); anything else throws.
 */
export function matches(statement: Statement, request: WafRequest): boolean {
  if (statement.andStatement) {
    return (statement.andStatement.statements as Statement[]).every((s) => matches(s, request));
  }
  if (statement.orStatement) {
    return (statement.orStatement.statements as Statement[]).some((s) => matches(s, request));
  }
  if (statement.notStatement) return !matches(statement.notStatement.statement, request);
  const size = statement.sizeConstraintStatement;
  if (size?.fieldToMatch?.body) {
    const oversize = request.bodyBytes > ALB_BODY_INSPECTION_BYTES;
    const handling = size.fieldToMatch.body.oversizeHandling ?? "CONTINUE";
    if (oversize && handling !== "CONTINUE") return handling === "MATCH";
    const seen = Math.min(request.bodyBytes, ALB_BODY_INSPECTION_BYTES);
    return COMPARE[size.comparisonOperator](seen, size.size);
  }
  const bytes = statement.byteMatchStatement;
  if (bytes?.positionalConstraint === "EXACTLY") {
    const field = bytes.fieldToMatch;
    const value = field.method ? request.method : field.uriPath ? request.uriPath : undefined;
    if (value !== undefined) return value === bytes.searchString;
  }
  throw new Error(`the test does not model ${JSON.stringify(statement)}`);
}

/** The names of the ACL's own blocking rules (not rate-based, not managed) the request matches. */
export function blockedBy(rules: Statement[], request: WafRequest): string[] {
  return rules
    .filter((rule) => rule.action?.block && !rule.statement.rateBasedStatement)
    .filter((rule) => matches(rule.statement, request))
    .map((rule) => rule.name as string);
}
