import { Global, Module } from "@nestjs/common";
import type { AuthSettings } from "../../../lib/auth";
import {
  authEnvironment,
  authSettings,
  dynamoSettings,
  parseEnvironment,
  portVariable,
  storeEnvironment,
  type LogLevel,
} from "../../../lib/config";
import type { DynamoClientSettings } from "../../../lib/dynamo-client";

/** The environment variables the service reads, as documented in the README. */
const serviceEnvironment = storeEnvironment
  .extend(authEnvironment.shape)
  .extend({ PORT: portVariable });

export abstract class AppConfig {
  abstract readonly port: number;
  abstract readonly logLevel: LogLevel;
  abstract readonly tableName: string;
  abstract readonly dynamodb: DynamoClientSettings;
  abstract readonly auth: AuthSettings;
}

/** Validates the environment once, at start-up; a ConfigError names every variable that is wrong. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const vars = parseEnvironment(serviceEnvironment, env);
  return {
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL,
    tableName: vars.TABLE_NAME,
    dynamodb: dynamoSettings(vars),
    auth: authSettings(vars),
  };
}

@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: () => loadAppConfig() }],
  exports: [AppConfig],
})
export class AppConfigModule {}
