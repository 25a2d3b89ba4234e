import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** The single DynamoDB table's schema, shared by the service, the function, the local stack and infra. */
export const TABLE_HASH_KEY = "id";

export const TABLE_ATTRIBUTES = [{ name: TABLE_HASH_KEY, type: "S" }] as const;

/**
 * A stored item: `data` is the client's JSON object, `createdAt` an ISO-8601 timestamp, and
 * `requestHash` the SHA-256 of the data of a put sent with an Idempotency-Key.
 */
export interface StoredItem {
  id: string;
  data: Record<string, unknown>;
  createdAt: string;
  requestHash?: string;
}

/** The CreateTable request for the table, for local stores and tests (infra declares the same schema). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: TABLE_ATTRIBUTES.map((attribute) => ({
      AttributeName: attribute.name,
      AttributeType: attribute.type,
    })),
    KeySchema: [{ AttributeName: TABLE_HASH_KEY, KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  };
}
