import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Global, Module, OnApplicationShutdown } from "@nestjs/common";
import { createDocumentClient } from "../../../lib/dynamo-client";
import { AppConfig } from "../config/app.config";
import { TableReadiness } from "./table-readiness";

@Global()
@Module({
  providers: [
    TableReadiness,
    {
      provide: DynamoDBDocumentClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => createDocumentClient(config.dynamodb),
    },
  ],
  exports: [DynamoDBDocumentClient, TableReadiness],
})
export class DynamoDbModule implements OnApplicationShutdown {
  constructor(private readonly client: DynamoDBDocumentClient) {}

  /** Runs after the HTTP server has drained, so in-flight requests keep their client. */
  onApplicationShutdown(): void {
    this.client.destroy();
  }
}
