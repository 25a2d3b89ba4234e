import type { LogLevel } from "./config";

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields: LogFields): void;
  warn(message: string, fields: LogFields): void;
  error(message: string, fields: LogFields): void;
}

/** pino's numeric levels, so the function's lines read like the service's. */
const PINO_LEVELS: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

/**
 * One JSON object per line on stdout in pino's shape (`level` number, `time` epoch ms, `msg`),
 * the same as the Nest service writes, so one CloudWatch Logs Insights query reads both.
 */
export function createLogger(
  minimumLevel: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const threshold = PINO_LEVELS[minimumLevel];
  const log = (level: LogLevel, message: string, fields: LogFields): void => {
    if (PINO_LEVELS[level] < threshold) return;
    const line = { level: PINO_LEVELS[level], time: Date.now(), ...fields, msg: message };
    write(`${JSON.stringify(line)}\n`);
  };
  return {
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
  };
}
