import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Global, Inject, Module, OnApplicationShutdown } from "@nestjs/common";
import { createDocumentClient } from "../../../lib/dynamo-client";
import { AppConfig } from "../config/app.config";
import { DYNAMODB_DOCUMENT_CLIENT } from "./dynamodb.constants";
import { TableReadiness } from "./table-readiness";

@Global()
@Module({
  providers: [
    TableReadiness,
    {
      provide: DYNAMODB_DOCUMENT_CLIENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => createDocumentClient(config.dynamodb),
    },
  ],
  exports: [DYNAMODB_DOCUMENT_CLIENT, TableReadiness],
})
export class DynamoDbModule implements OnApplicationShutdown {
  constructor(@Inject(DYNAMODB_DOCUMENT_CLIENT) private readonly client: DynamoDBDocumentClient) {}

  /** Runs after the HTTP server has drained, so in-flight requests keep their client. */
  onApplicationShutdown(): void {
    this.client.destroy();
  }
}
