import { Global, Module } from "@nestjs/common";
import { AppConfig } from "../config/app.config";
import { createLogger } from "../../../lib/logger";
import { PinoLoggerService } from "./logging";

/** The one pino logger, created from the validated LOG_LEVEL, behind Nest's LoggerService. */
@Global()
@Module({
  providers: [
    {
      provide: PinoLoggerService,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new PinoLoggerService(createLogger(config.logLevel)),
    },
  ],
  exports: [PinoLoggerService],
})
export class LoggingModule {}
