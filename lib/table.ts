/** The single DynamoDB table's schema, shared by the service, the function, the local stack and infra. */
export const TABLE_HASH_KEY = "id";

export const TABLE_ATTRIBUTES = [{ name: TABLE_HASH_KEY, type: "S" }] as const;

/** A stored item: `data` is the client's JSON object, `createdAt` an ISO-8601 timestamp. */
export interface StoredItem {
  id: string;
  data: Record<string, unknown>;
  createdAt: string;
}
