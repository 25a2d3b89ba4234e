import * as z from "zod";
import type { AuthSettings } from "./auth";
import type { DynamoClientSettings } from "./dynamo-client";
import { CONTAINER_PORT } from "./routes";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** An environment variable: trimmed, and unset when empty. */
export const variable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === "string" ? value.trim() || undefined : value), schema);

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().min(min).max(max));

const integerVariable = (min: number, max: number, fallback: number) =>
  variable(integer(min, max).optional()).transform((value) => value ?? fallback);

export const portVariable = integerVariable(0, 65_535, CONTAINER_PORT);

export const storeEnvironment = z.object({
  TABLE_NAME: variable(z.string()),
  AWS_REGION: variable(z.string()),
  DYNAMODB_ENDPOINT: variable(z.url({ protocol: /^https?$/ }).optional()),
  DYNAMODB_REQUEST_TIMEOUT_MS: integerVariable(50, 60_000, 1000),
  DYNAMODB_MAX_ATTEMPTS: integerVariable(1, 10, 3),
  LOG_LEVEL: variable(
    z.preprocess(
      (value) => (typeof value === "string" ? value.toLowerCase() : value),
      z.enum(LOG_LEVELS).default("info"),
    ),
  ),
});
type StoreEnvironment = z.infer<typeof storeEnvironment>;

export const authEnvironment = z.object({
  AUTH_ISSUER: variable(z.url()),
  AUTH_JWKS_URI: variable(z.url().optional()),
  AUTH_CLIENT_IDS: variable(
    z
      .string()
      .transform((list) =>
        list
          .split(",")
          .map((id) => id.trim())
          .filter((id) => id !== ""),
      )
      .pipe(z.array(z.string()).min(1, "must name at least one app client")),
  ),
});
type AuthEnvironment = z.infer<typeof authEnvironment>;

export function authSettings(env: AuthEnvironment): AuthSettings {
  return {
    issuer: env.AUTH_ISSUER,
    jwksUri: env.AUTH_JWKS_URI ?? `${env.AUTH_ISSUER}/.well-known/jwks.json`,
    clientIds: env.AUTH_CLIENT_IDS,
  };
}

export function parseEnvironment<T extends z.ZodType>(
  schema: T,
  env: Readonly<Record<string, string | undefined>>,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const value = env[name]?.trim();
    const what = value ? `is invalid (${JSON.stringify(value)})` : "is not set";
    return `  - ${name} ${what}: ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
}

export function dynamoSettings(env: StoreEnvironment): DynamoClientSettings {
  return {
    region: env.AWS_REGION,
    endpoint: env.DYNAMODB_ENDPOINT,
    connectTimeoutMs: env.DYNAMODB_REQUEST_TIMEOUT_MS,
    requestTimeoutMs: env.DYNAMODB_REQUEST_TIMEOUT_MS,
    maxAttempts: env.DYNAMODB_MAX_ATTEMPTS,
  };
}

/**
 * Tracing is on when OTEL_TRACES_EXPORTER names an exporter (`otlp` in AWS, to the ADOT
 * collector at OTEL_EXPORTER_OTLP_ENDPOINT; `console` to print spans); unset or `none` leaves it
 * off, so that nothing is loaded or patched. OTEL_SDK_DISABLED=true turns it off too.
 */
export function tracingEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  const exporters = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() ?? "";
  return exporters !== "" && exporters !== "none" && env.OTEL_SDK_DISABLED?.trim() !== "true";
}
