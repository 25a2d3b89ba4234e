import { registerAs } from "@nestjs/config";
import { plainToInstance, Transform } from "class-transformer";
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  validateSync,
} from "class-validator";
import { CONTAINER_PORT } from "../../../lib/routes";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInteger = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== "string" || value.trim() === "") return value;
  return /^-?\d+$/.test(value.trim()) ? Number(value) : value;
};

/** The environment variables the service reads, as documented in the README. */
export class EnvironmentVariables {
  @IsString()
  @IsNotEmpty()
  TABLE_NAME!: string;

  @IsString()
  @IsNotEmpty()
  AWS_REGION!: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ["http", "https"] })
  DYNAMODB_ENDPOINT?: string;

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = CONTAINER_PORT;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = "info";

  @Transform(toInteger)
  @IsInt()
  @Min(50)
  @Max(60_000)
  DYNAMODB_REQUEST_TIMEOUT_MS = 1000;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(10)
  DYNAMODB_MAX_ATTEMPTS = 3;
}

export interface AppConfig {
  port: number;
  logLevel: LogLevel;
  dynamodb: {
    tableName: string;
    region: string;
    endpoint: string | undefined;
    connectTimeoutMs: number;
    requestTimeoutMs: number;
    maxAttempts: number;
  };
}

export class ConfigValidationError extends Error {
  override readonly name = "ConfigValidationError";
}

/**
 * Validates the environment once, at start-up, naming every variable that is missing or wrong.
 * A variable set to the empty string counts as unset.
 */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim()));
  const vars = plainToInstance(EnvironmentVariables, given, { exposeDefaultValues: true });
  const errors = validateSync(vars, { skipMissingProperties: false });
  if (errors.length > 0) {
    const problems = errors.map((error) => {
      const value = given[error.property];
      const what = value === undefined ? "is not set" : `is invalid (${JSON.stringify(value)})`;
      const rules = Object.values(error.constraints ?? {}).join("; ");
      return `  - ${error.property} ${what}: ${rules}`;
    });
    throw new ConfigValidationError(`Invalid configuration:\n${problems.join("\n")}`);
  }
  return {
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL,
    dynamodb: {
      tableName: vars.TABLE_NAME,
      region: vars.AWS_REGION,
      endpoint: vars.DYNAMODB_ENDPOINT,
      connectTimeoutMs: vars.DYNAMODB_REQUEST_TIMEOUT_MS,
      requestTimeoutMs: vars.DYNAMODB_REQUEST_TIMEOUT_MS,
      maxAttempts: vars.DYNAMODB_MAX_ATTEMPTS,
    },
  };
}

export const appConfig = registerAs("app", () => loadAppConfig());
