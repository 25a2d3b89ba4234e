import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { Injectable } from "@nestjs/common";
import { parseItemKey } from "../../../lib/item-key";
import { TABLE_HASH_KEY, type StoredItem } from "../../../lib/table";
import { translateStoreError } from "../../../lib/errors";
import { AppConfig } from "../config/app.config";
import { isJsonObject } from "./item-data";
import type { ListPosition } from "./list-cursor";
import { ItemKeyConflictError, ItemsPage, ItemsRepository } from "./items.repository";

function toStoredItem(record: Record<string, unknown>): StoredItem | undefined {
  const { id, data, createdAt, requestHash } = record;
  if (typeof id !== "string" || typeof createdAt !== "string" || !isJsonObject(data)) {
    return undefined;
  }
  return typeof requestHash === "string"
    ? { id, data, createdAt, requestHash }
    : { id, data, createdAt };
}

function toPosition(
  lastEvaluatedKey: Record<string, unknown> | undefined,
): ListPosition | undefined {
  if (lastEvaluatedKey === undefined) return undefined;
  const id = lastEvaluatedKey[TABLE_HASH_KEY];
  if (typeof id !== "string") {
    throw new Error(
      `Unexpected LastEvaluatedKey from DynamoDB: ${JSON.stringify(lastEvaluatedKey)}`,
    );
  }
  return { id };
}

@Injectable()
export class DynamoItemsRepository extends ItemsRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async create(item: StoredItem): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.config.tableName,
          Item: { ...item, [TABLE_HASH_KEY]: item.id },
          ConditionExpression: "attribute_not_exists(#key)",
          ExpressionAttributeNames: { "#key": TABLE_HASH_KEY },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ItemKeyConflictError(`An item with key ${item.id} already exists`);
      }
      throw translateStoreError(error);
    }
  }

  async findById(id: string): Promise<StoredItem | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.config.tableName, Key: { [TABLE_HASH_KEY]: id } }),
      );
      return Item === undefined ? undefined : toStoredItem(Item);
    } catch (error) {
      throw translateStoreError(error);
    }
  }

  /**
   * One Scan call: DynamoDB stops it at 1 MB of items, so a page is bounded in bytes as well as
   * in count, and a page of large items may hold fewer than `limit`. Asking for one item more
   * than `limit` tells whether the table goes on, so an exactly full last page has no cursor.
   */
  async list(limit: number, after?: ListPosition): Promise<ItemsPage> {
    let result;
    try {
      result = await this.client.send(
        new ScanCommand({
          TableName: this.config.tableName,
          Limit: limit + 1,
          ExclusiveStartKey: after === undefined ? undefined : { [TABLE_HASH_KEY]: after.id },
        }),
      );
    } catch (error) {
      throw translateStoreError(error);
    }
    const records = result.Items ?? [];
    const next =
      records.length > limit ? toPosition(records[limit - 1]) : toPosition(result.LastEvaluatedKey);
    const items = records
      .slice(0, limit)
      .map(toStoredItem)
      .filter(
        (item): item is StoredItem => item !== undefined && parseItemKey(item.id) === item.id,
      );
    return { items, next };
  }
}
