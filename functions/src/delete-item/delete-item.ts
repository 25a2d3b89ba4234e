import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE_HASH_KEY } from "../../../lib/table";
import { ItemNotFound, StoreUnavailable } from "./errors";

const UNAVAILABLE_ERRORS = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** Deletes an existing item; a key that is not in the table is an error, not a silent no-op. */
export async function deleteItem(
  documentClient: DynamoDBDocumentClient,
  tableName: string,
  key: string,
): Promise<void> {
  try {
    await documentClient.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { [TABLE_HASH_KEY]: key },
        ConditionExpression: "attribute_exists(#key)",
        ExpressionAttributeNames: { "#key": TABLE_HASH_KEY },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ItemNotFound(`No item with key ${key}`);
    }
    if (isStoreUnavailable(error)) {
      throw new StoreUnavailable("The item store is unavailable or throttling; retry later", {
        cause: error,
      });
    }
    throw error;
  }
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  errors?: unknown;
}

/**
 * Throttling, timeouts, server faults and network failures: worth retrying later, so a 503.
 * Duck-typed, because Node's network errors may come from another realm than this code's `Error`.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $fault, errors } = error as ErrorLike;
  if (typeof name === "string" && UNAVAILABLE_ERRORS.has(name)) return true;
  if ($fault === "server") return true;
  if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
  return Array.isArray(errors) && errors.some((cause) => isStoreUnavailable(cause));
}
