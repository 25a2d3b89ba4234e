import type { DynamoClientSettings } from "../../../lib/dynamo-client";

/** The same levels as the service (pino), so one LOG_LEVEL fits both. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface DeleteItemConfig {
  tableName: string;
  logLevel: LogLevel;
  dynamo: DynamoClientSettings;
}

/** Raised at cold start when the environment is incomplete or malformed. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_REGION = "us-east-1";
const DEFAULT_REQUEST_TIMEOUT_MS = 1000;
const DEFAULT_MAX_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 500;

/** Reads and validates the function's environment, naming every problem at once. */
export function readConfig(env: Env): DeleteItemConfig {
  const problems: string[] = [];

  const tableName = env.TABLE_NAME?.trim() ?? "";
  if (tableName === "") problems.push("TABLE_NAME is required (the DynamoDB table to delete from)");

  const endpoint = optional(env.DYNAMODB_ENDPOINT);
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    problems.push(`DYNAMODB_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
  }

  const logLevel = optional(env.LOG_LEVEL)?.toLowerCase() ?? "info";
  if (!isLogLevel(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${env.LOG_LEVEL}"`);
  }

  const requestTimeoutMs = integerIn(env, "DYNAMODB_REQUEST_TIMEOUT_MS", 50, 60_000, problems);
  const maxAttempts = integerIn(env, "DYNAMODB_MAX_ATTEMPTS", 1, 10, problems);

  if (problems.length > 0 || !isLogLevel(logLevel)) {
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  return {
    tableName,
    logLevel,
    dynamo: {
      region: optional(env.AWS_REGION) ?? DEFAULT_REGION,
      endpoint,
      connectTimeoutMs: Math.min(CONNECT_TIMEOUT_MS, requestTimeoutMs),
      requestTimeoutMs,
      maxAttempts,
    },
  };
}

function optional(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === "" ? undefined : trimmed;
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const DEFAULTS: Record<string, number> = {
  DYNAMODB_REQUEST_TIMEOUT_MS: DEFAULT_REQUEST_TIMEOUT_MS,
  DYNAMODB_MAX_ATTEMPTS: DEFAULT_MAX_ATTEMPTS,
};

function integerIn(env: Env, name: string, min: number, max: number, problems: string[]): number {
  const fallback = DEFAULTS[name];
  const raw = optional(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}
