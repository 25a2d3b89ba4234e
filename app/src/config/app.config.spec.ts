import { ConfigError } from "../../../lib/config";
import { loadAppConfig } from "./app.config";

const ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc";
const REQUIRED = {
  TABLE_NAME: "picus",
  AWS_REGION: "eu-west-1",
  AUTH_ISSUER: ISSUER,
  AUTH_CLIENT_IDS: "client-a, client-b",
};

describe("loadAppConfig", () => {
  it("applies the documented defaults", () => {
    expect(loadAppConfig(REQUIRED)).toEqual({
      port: 3000,
      logLevel: "info",
      tableName: "picus",
      dynamodb: {
        region: "eu-west-1",
        endpoint: undefined,
        connectTimeoutMs: 1000,
        requestTimeoutMs: 1000,
        maxAttempts: 3,
      },
      auth: {
        issuer: ISSUER,
        jwksUri: `${ISSUER}/.well-known/jwks.json`,
        clientIds: ["client-a", "client-b"],
      },
    });
  });

  it("reads every variable", () => {
    const config = loadAppConfig({
      ...REQUIRED,
      DYNAMODB_ENDPOINT: "http://localhost:8000",
      PORT: "8080",
      LOG_LEVEL: "DEBUG",
      DYNAMODB_REQUEST_TIMEOUT_MS: "250",
      DYNAMODB_MAX_ATTEMPTS: "5",
    });
    expect(config).toMatchObject({
      port: 8080,
      logLevel: "debug",
      dynamodb: { endpoint: "http://localhost:8000", requestTimeoutMs: 250, maxAttempts: 5 },
    });
  });

  it("treats empty optional variables as unset", () => {
    const config = loadAppConfig({ ...REQUIRED, DYNAMODB_ENDPOINT: " ", LOG_LEVEL: "" });
    expect(config.dynamodb.endpoint).toBeUndefined();
    expect(config.logLevel).toBe("info");
  });

  it("names every missing or invalid variable at once", () => {
    let error: unknown;
    try {
      loadAppConfig({
        TABLE_NAME: "",
        PORT: "eighty",
        DYNAMODB_ENDPOINT: "localhost:8000",
        DYNAMODB_MAX_ATTEMPTS: "0",
        DYNAMODB_REQUEST_TIMEOUT_MS: "1.5",
        LOG_LEVEL: "verbose",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid configuration:/);
    for (const expected of [
      /TABLE_NAME is not set/,
      /AUTH_ISSUER is not set/,
      /AUTH_CLIENT_IDS is not set/,
      /AWS_REGION is not set/,
      /PORT is invalid \("eighty"\)/,
      /DYNAMODB_ENDPOINT is invalid/,
      /DYNAMODB_MAX_ATTEMPTS is invalid \("0"\)/,
      /DYNAMODB_REQUEST_TIMEOUT_MS is invalid \("1.5"\)/,
      /LOG_LEVEL is invalid \("verbose"\)/,
    ]) {
      expect(message).toMatch(expected);
    }
  });
});
