import { Module } from "@nestjs/common";
import { APP_GUARD } from "@nestjs/core";
import { AuthGuard } from "./auth/auth.guard";
import { GracefulShutdown } from "./common/graceful-shutdown";
import { LoggingModule } from "./common/logging.module";
import { AppConfigModule } from "./config/app.config";
import { DynamoDbModule } from "./dynamodb/dynamodb.module";
import { HealthModule } from "./health/health.module";
import { ItemsModule } from "./items/items.module";
import { TracingShutdown } from "./tracing";

@Module({
  imports: [AppConfigModule, LoggingModule, DynamoDbModule, HealthModule, ItemsModule],
  providers: [GracefulShutdown, TracingShutdown, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AppModule {}
