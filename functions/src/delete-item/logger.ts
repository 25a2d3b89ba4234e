import { LOG_LEVELS, type LogLevel } from "./config";

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields: LogFields): void;
  warn(message: string, fields: LogFields): void;
  error(message: string, fields: LogFields): void;
}

/** One JSON object per line on stdout, the format CloudWatch Logs Insights parses. */
export function createLogger(
  minimumLevel: LogLevel,
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const threshold = LOG_LEVELS.indexOf(minimumLevel);
  const log = (level: LogLevel, message: string, fields: LogFields): void => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const line = { level, time: new Date().toISOString(), msg: message, ...fields };
    write(`${JSON.stringify(line)}\n`);
  };
  return {
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
  };
}
