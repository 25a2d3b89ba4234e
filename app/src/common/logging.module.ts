import { Global, Module } from "@nestjs/common";
import type { ConfigType } from "@nestjs/config";
import { appConfig } from "../config/app.config";
import { createLogger } from "../../../lib/logger";
import { PinoLoggerService } from "./logging";

/** The one pino logger, created from the validated LOG_LEVEL, behind Nest's LoggerService. */
@Global()
@Module({
  providers: [
    {
      provide: PinoLoggerService,
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) =>
        new PinoLoggerService(createLogger(config.logLevel)),
    },
  ],
  exports: [PinoLoggerService],
})
export class LoggingModule {}
