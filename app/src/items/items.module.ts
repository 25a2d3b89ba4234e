import { MiddlewareConsumer, Module, NestModule, RequestMethod } from "@nestjs/common";
import { API_PREFIX } from "../../../lib/routes";
import { LIST_QUERY_PARAMETERS } from "./dto/list-items.query";
import { DynamoItemsRepository } from "./dynamo-items.repository";
import { ItemsController } from "./items.controller";
import { ItemsRepository } from "./items.repository";
import { ItemsService } from "./items.service";
import { jsonBodyMiddleware } from "./json-body.middleware";
import { onlyQueryParameters } from "./query-parameters.middleware";

@Module({
  controllers: [ItemsController],
  providers: [ItemsService, { provide: ItemsRepository, useClass: DynamoItemsRepository }],
})
export class ItemsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(...jsonBodyMiddleware)
      .forRoutes({ path: `${API_PREFIX}/put`, method: RequestMethod.POST })
      .apply(onlyQueryParameters(LIST_QUERY_PARAMETERS))
      .forRoutes({ path: `${API_PREFIX}/list`, method: RequestMethod.GET });
  }
}
