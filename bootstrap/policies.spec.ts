import { stateBucketPolicy, type PolicyStatement } from "./policies";

const BUCKET = "arn:aws:s3:::picus-pulumi-state";
const STATE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/state";
const SSE = "s3:x-amz-server-side-encryption";
const SSE_KMS_KEY_ID = "s3:x-amz-server-side-encryption-aws-kms-key-id";

type RequestContext = Record<string, string>;

/**
 * IAM's documented rules for the operators the bucket policy uses: a key absent from the request
 * makes a matching operator false and a negated one true; `...IfExists` is true when the key is
 * absent; `Null: "false"` holds only when the key is present. Operators and keys are ANDed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
function conditionHolds(statement: PolicyStatement, context: RequestContext): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      switch (operator) {
        case "Bool":
          return actual === expected;
        case "Null":
          return (actual === undefined) === (expected === "true");
        case "StringNotEquals":
          return actual === undefined || actual !== expected;
        case "StringNotEqualsIfExists":
          return actual === undefined || actual !== expected;
        default:
          throw new Error(`the test does not model ${operator}`);
      }
    }),
  );
}

function deniesPutObject(context: RequestContext): string[] {
  return stateBucketPolicy(BUCKET, STATE_KEY)
    .Statement.filter(
      (statement) =>
        statement.Effect === "Deny" &&
        [statement.Action].flat().some((action) => action === "s3:PutObject" || action === "s3:*"),
    )
    .filter((statement) => conditionHolds(statement, { "aws:SecureTransport": "true", ...context }))
    .map((statement) => statement.Sid ?? "(no Sid)");
}

describe("stateBucketPolicy", () => {
  it("allows a write that names no encryption, as Pulumi's S3 backend sends it", () => {
    expect(deniesPutObject({})).toEqual([]);
  });

  it("allows a write that names SSE-KMS with the state key", () => {
    expect(deniesPutObject({ [SSE]: "aws:kms", [SSE_KMS_KEY_ID]: STATE_KEY })).toEqual([]);
  });

  it("denies a write with another KMS key", () => {
    expect(deniesPutObject({ [SSE]: "aws:kms", [SSE_KMS_KEY_ID]: `${STATE_KEY}-other` })).toEqual([
      "DenyOtherEncryptionKeys",
    ]);
  });

  it("denies a write with S3-managed keys instead of KMS", () => {
    expect(deniesPutObject({ [SSE]: "AES256" })).toEqual(["DenyOtherEncryptionTypes"]);
  });

  it("denies plain HTTP", () => {
    expect(deniesPutObject({ "aws:SecureTransport": "false" })).toEqual(["DenyInsecureTransport"]);
  });
});
