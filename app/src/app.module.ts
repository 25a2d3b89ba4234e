import { Module } from "@nestjs/common";
import { ConfigModule, type ConfigType } from "@nestjs/config";
import { LoggerModule } from "nestjs-pino";
import { GracefulShutdown } from "./common/graceful-shutdown";
import { appConfig } from "./config/app.config";
import { DynamoDbModule } from "./dynamodb/dynamodb.module";
import { HealthModule } from "./health/health.module";
import { ItemsModule } from "./items/items.module";
import { loggerParams } from "./common/logging";

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => loggerParams(config.logLevel),
    }),
    DynamoDbModule,
    HealthModule,
    ItemsModule,
  ],
  providers: [GracefulShutdown],
})
export class AppModule {}
