import { registerAs } from "@nestjs/config";
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

export interface AppConfig {
  port: number;
  logLevel: LogLevel;
  tableName: string;
  dynamodb: DynamoClientSettings;
  auth: AuthSettings;
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

export const appConfig = registerAs("app", () => loadAppConfig());
