import { MiddlewareConsumer, Module, NestModule, RequestMethod } from "@nestjs/common";
import { API_PREFIX } from "../../../lib/routes";
import { DynamoItemsRepository } from "./dynamo-items.repository";
import { ItemsController } from "./items.controller";
import { ItemsRepository } from "./items.repository";
import { ItemsService } from "./items.service";
import { jsonBodyMiddleware } from "./json-body.middleware";

@Module({
  controllers: [ItemsController],
  providers: [ItemsService, { provide: ItemsRepository, useClass: DynamoItemsRepository }],
})
export class ItemsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(...jsonBodyMiddleware)
      .forRoutes({ path: `${API_PREFIX}/put`, method: RequestMethod.POST });
  }
}
