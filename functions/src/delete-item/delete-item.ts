import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { isStoreUnavailable, STORE_UNAVAILABLE_MESSAGE } from "../../../lib/dynamo-errors";
import { TABLE_HASH_KEY } from "../../../lib/table";
import { ItemNotFound, StoreUnavailable } from "./errors";

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
      throw new ItemNotFound(`No item has the key ${key}`);
    }
    if (isStoreUnavailable(error)) {
      throw new StoreUnavailable(STORE_UNAVAILABLE_MESSAGE, {
        cause: error,
      });
    }
    throw error;
  }
}
