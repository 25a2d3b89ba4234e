/** Injection token of the process-wide DynamoDB document client. */
export const DYNAMODB_DOCUMENT_CLIENT = Symbol("DYNAMODB_DOCUMENT_CLIENT");
