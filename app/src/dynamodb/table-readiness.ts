import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Injectable } from "@nestjs/common";
import { StoreUnavailableError, translateStoreError } from "../../../lib/errors";
import { AppConfig } from "../config/app.config";

const SERVING_STATUSES = new Set(["ACTIVE", "UPDATING"]);

/** Whether the table answers and can serve reads and writes (needs dynamodb:DescribeTable). */
@Injectable()
export class TableReadiness {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly config: AppConfig,
  ) {}

  async check(): Promise<void> {
    let status: string | undefined;
    try {
      const { Table } = await this.client.send(
        new DescribeTableCommand({ TableName: this.config.tableName }),
      );
      status = Table?.TableStatus;
    } catch (error) {
      throw translateStoreError(error);
    }
    if (status === undefined || !SERVING_STATUSES.has(status)) {
      throw new StoreUnavailableError(
        new Error(`Table ${this.config.tableName} is ${status ?? "in an unknown state"}`),
      );
    }
  }
}
