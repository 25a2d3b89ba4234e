import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "./config";

/**
 * The one logger of the service, the function and the local stack: JSON lines in pino's shape
 * (`level`, `time`, `msg`), as CloudWatch Logs Insights reads them, or readable lines through
 * pino-pretty when stdout is a terminal.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  if (destination !== undefined) return pino({ level }, destination);
  if (process.stdout.isTTY) return pino({ level, transport: { target: "pino-pretty" } });
  return pino({ level });
}
