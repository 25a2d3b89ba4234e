import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Inject, Injectable } from "@nestjs/common";
import type { ConfigType } from "@nestjs/config";
import { StoreUnavailableError, translateStoreError } from "../../../lib/errors";
import { appConfig } from "../config/app.config";
import { DYNAMODB_DOCUMENT_CLIENT } from "./dynamodb.constants";

const SERVING_STATUSES = new Set(["ACTIVE", "UPDATING"]);

/** Whether the table answers and can serve reads and writes (needs dynamodb:DescribeTable). */
@Injectable()
export class TableReadiness {
  private readonly tableName: string;

  constructor(
    @Inject(DYNAMODB_DOCUMENT_CLIENT) private readonly client: DynamoDBDocumentClient,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
  ) {
    this.tableName = config.tableName;
  }

  async check(): Promise<void> {
    let status: string | undefined;
    try {
      const { Table } = await this.client.send(
        new DescribeTableCommand({ TableName: this.tableName }),
      );
      status = Table?.TableStatus;
    } catch (error) {
      throw translateStoreError(error);
    }
    if (status === undefined || !SERVING_STATUSES.has(status)) {
      throw new StoreUnavailableError(
        new Error(`Table ${this.tableName} is ${status ?? "in an unknown state"}`),
      );
    }
  }
}
