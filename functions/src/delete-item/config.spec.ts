import { ConfigError, readConfig } from "./config";

describe("readConfig", () => {
  it("reads a complete environment", () => {
    // Prepare
    const env = {
      TABLE_NAME: "picus-dev",
      AWS_REGION: "eu-west-1",
      DYNAMODB_ENDPOINT: "http://127.0.0.1:8000",
      DYNAMODB_REQUEST_TIMEOUT_MS: "250",
      DYNAMODB_MAX_ATTEMPTS: "2",
      LOG_LEVEL: "WARN",
    };

    // Act
    const config = readConfig(env);

    // Assess
    expect(config).toEqual({
      tableName: "picus-dev",
      logLevel: "warn",
      dynamo: {
        region: "eu-west-1",
        endpoint: "http://127.0.0.1:8000",
        connectTimeoutMs: 250,
        requestTimeoutMs: 250,
        maxAttempts: 2,
      },
    });
  });

  it("applies defaults to everything but the table name", () => {
    // Act
    const config = readConfig({ TABLE_NAME: "picus-dev", DYNAMODB_ENDPOINT: " " });

    // Assess
    expect(config).toEqual({
      tableName: "picus-dev",
      logLevel: "info",
      dynamo: {
        region: "us-east-1",
        endpoint: undefined,
        connectTimeoutMs: 500,
        requestTimeoutMs: 1000,
        maxAttempts: 3,
      },
    });
  });

  it("fails with a clear message when TABLE_NAME is missing", () => {
    // Act
    const read = () => readConfig({});

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/TABLE_NAME is required/);
  });

  it("names every malformed variable at once", () => {
    // Prepare
    const env = {
      TABLE_NAME: "picus-dev",
      DYNAMODB_ENDPOINT: "localhost:8000",
      DYNAMODB_REQUEST_TIMEOUT_MS: "1.5",
      DYNAMODB_MAX_ATTEMPTS: "0",
      LOG_LEVEL: "loud",
    };

    // Act
    const read = () => readConfig(env);

    // Assess
    expect(read).toThrow(
      'Invalid configuration: DYNAMODB_ENDPOINT must be an http(s) URL, got "localhost:8000"; ' +
        'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "loud"; ' +
        'DYNAMODB_REQUEST_TIMEOUT_MS must be an integer from 50 to 60000, got "1.5"; ' +
        'DYNAMODB_MAX_ATTEMPTS must be an integer from 1 to 10, got "0"',
    );
  });
});
