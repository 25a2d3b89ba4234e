import { trace } from "@opentelemetry/api";
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config";

/** A trace id as X-Ray shows it: `1-5759e988-bd862e3fe1be46a994272793`. */
export function xrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/**
 * The trace a line is written in, in X-Ray's form (X-Ray has it when the service sent it: see
 * FailedAndSampledTraces in app/src/tracing-sdk.ts); nothing when tracing is off.
 */
export function traceFields(): { traceId?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  if (context === undefined) return {};
  return { traceId: xrayTraceId(context.traceId) };
}

/**
 * The one logger of the service, the function and the local stack: JSON lines in pino's shape
 * (`level`, `time`, `msg`), as CloudWatch Logs Insights reads them, or readable lines through
 * pino-pretty when stdout is a terminal. A line written while serving a traced request carries
 * its `traceId`.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, mixin: traceFields };
  if (destination !== undefined) return pino(options, destination);
  if (process.stdout.isTTY) return pino({ ...options, transport: { target: "pino-pretty" } });
  return pino(options);
}
