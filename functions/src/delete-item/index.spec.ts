import { randomUUID } from "node:crypto";
import type { ALBResult } from "aws-lambda";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../lib/dynamo-client";
import type { ErrorBody } from "../../../lib/http-error";
import {
  createLocalDynamoClient,
  createTable,
  startDynalite,
  type DynaliteServer,
} from "../../../lib/dynalite";
import { startFaultyStore } from "../../../lib/testing/faulty-store";
import { createTestALBEvent, createTestMultiValueALBEvent } from "../../test/alb-event";
import type { DeleteItemHandler } from "./create-handler";

const TABLE_NAME = "picus-handler-test";

async function loadHandler(env: Record<string, string | undefined>): Promise<DeleteItemHandler> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [name, value] of Object.entries(env))
    if (value === undefined) delete process.env[name];
  try {
    let loaded: DeleteItemHandler | undefined;
    await jest.isolateModulesAsync(async () => {
      loaded = (await import("./handler")).handler;
    });
    return loaded as DeleteItemHandler;
  } finally {
    process.env = saved;
  }
}

function errorOf(result: ALBResult): ErrorBody {
  return JSON.parse(result.body ?? "") as ErrorBody;
}

describe("the DELETE handler against dynalite", () => {
  let dynalite: DynaliteServer;
  let store: DynamoDBDocumentClient;
  let handler: DeleteItemHandler;
  let logLines: string[];

  beforeAll(async () => {
    dynalite = await startDynalite();
    const admin = createLocalDynamoClient(dynalite.endpoint);
    await createTable(admin, TABLE_NAME);
    admin.destroy();
    store = createDocumentClient({
      region: "us-east-1",
      endpoint: dynalite.endpoint,
      connectTimeoutMs: 1000,
      requestTimeoutMs: 2000,
      maxAttempts: 1,
    });
    handler = await loadHandler({ TABLE_NAME, DYNAMODB_ENDPOINT: dynalite.endpoint });
  });

  afterAll(async () => {
    store.destroy();
    await dynalite.close();
  });

  beforeEach(() => {
    logLines = [];
    jest.spyOn(process.stdout, "write").mockImplementation((line: string | Uint8Array) => {
      logLines.push(String(line));
      return true;
    });
  });

  afterEach(() => jest.restoreAllMocks());

  async function putItem(): Promise<string> {
    const key = randomUUID();
    await store.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: { id: key, data: { hello: "world" }, createdAt: new Date().toISOString() },
      }),
    );
    return key;
  }

  async function itemExists(key: string): Promise<boolean> {
    const { Item } = await store.send(new GetCommand({ TableName: TABLE_NAME, Key: { id: key } }));
    return Item !== undefined;
  }

  it("deletes an existing item with 204 and no body", async () => {
    // Prepare
    const key = await putItem();
    const event = createTestALBEvent({ path: `/picus/${key}`, headers: { "x-request-id": "r-1" } });

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({
      statusCode: 204,
      statusDescription: "204 No Content",
      headers: { "x-request-id": "r-1" },
      body: "",
      isBase64Encoded: false,
    });
    expect(await itemExists(key)).toBe(false);
  });

  it("answers 404 for a key that is not stored, also the second time", async () => {
    // Prepare
    const key = await putItem();
    await handler(createTestALBEvent({ path: `/picus/${key}` }));

    // Act
    const result = await handler(createTestALBEvent({ path: `/picus/${key}` }));

    // Assess
    expect(result.statusCode).toBe(404);
    expect(result.statusDescription).toBe("404 Not Found");
    expect(result.headers?.["content-type"]).toBe("application/json; charset=utf-8");
    expect(errorOf(result)).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: `No item has the key ${key}`,
    });
  });

  it("deletes through a multi-value target group and answers in multi-value headers", async () => {
    // Prepare
    const key = await putItem();
    const event = createTestMultiValueALBEvent({
      path: `/picus/${key.toUpperCase()}`,
      headers: { "x-request-id": ["first", "r-2"] },
    });

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({
      statusCode: 204,
      statusDescription: "204 No Content",
      multiValueHeaders: { "x-request-id": ["r-2"] },
      body: "",
      isBase64Encoded: false,
    });
    expect(await itemExists(key)).toBe(false);
  });

  it("ignores a base64-encoded body", async () => {
    // Prepare
    const key = await putItem();
    const body = Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString("base64");
    const event = createTestALBEvent({ path: `/picus/${key}`, body, isBase64Encoded: true });

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(204);
    expect(await itemExists(key)).toBe(false);
  });

  it.each([
    ["a non-UUID key", "/picus/not-a-uuid"],
    ["a deeper path", `/picus/${randomUUID()}/more`],
    ["an encoded slash", "/picus/a%2Fb"],
    ["broken percent-encoding", "/picus/%zz"],
  ])("answers 400 in the error shape for %s", async (_case, path) => {
    // Act
    const result = await handler(createTestMultiValueALBEvent({ path }));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.statusDescription).toBe("400 Bad Request");
    expect(result.multiValueHeaders?.["content-type"]).toEqual(["application/json; charset=utf-8"]);
    expect(errorOf(result)).toEqual({
      statusCode: 400,
      error: "Bad Request",
      message: expect.stringContaining(path) as string,
    });
  });

  it("answers 405 to other methods", async () => {
    // Act
    const result = await handler(createTestALBEvent({ method: "PATCH" }));

    // Assess
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe("DELETE");
    expect(errorOf(result).error).toBe("Method Not Allowed");
  });

  it("echoes the ALB trace id and logs one JSON line with it", async () => {
    // Prepare
    const key = await putItem();

    // Act
    const result = await handler(createTestALBEvent({ path: `/picus/${key}` }), {
      awsRequestId: "lambda-1",
    });

    // Assess
    const traceId = "Root=1-6745a3c1-0123456789abcdef01234567";
    expect(result.headers?.["x-request-id"]).toBe(traceId);
    expect(logLines).toHaveLength(1);
    expect(JSON.parse(logLines[0])).toMatchObject({
      level: 30,
      msg: "request completed",
      reqId: traceId,
      awsRequestId: "lambda-1",
      method: "DELETE",
      key,
      statusCode: 204,
    });
  });

  it("answers 503 quickly when the store does not answer", async () => {
    // Prepare
    const silent = await startFaultyStore();
    const isolated = await loadHandler({
      TABLE_NAME,
      DYNAMODB_ENDPOINT: silent.endpoint,
      DYNAMODB_MAX_ATTEMPTS: "2",
      DYNAMODB_REQUEST_TIMEOUT_MS: "200",
    });
    const startedAt = Date.now();

    // Act
    const result = await isolated(createTestALBEvent({ path: `/picus/${randomUUID()}` }));

    // Assess
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(result.statusCode).toBe(503);
    expect(errorOf(result)).toEqual({
      statusCode: 503,
      error: "Service Unavailable",
      message: "The data store is unavailable; try again shortly",
    });
    expect(JSON.parse(logLines[0])).toMatchObject({
      level: 40,
      statusCode: 503,
      error: { name: "StoreUnavailable", cause: { name: "TimeoutError" } },
    });
    await silent.close();
  });

  it("answers 500 and logs at error when the store refuses for another reason", async () => {
    // Prepare: a store that denies every call, as DynamoDB does without the IAM permission
    const denying = await startFaultyStore({
      type: "AccessDeniedException",
      message: "not authorized to perform dynamodb:DeleteItem",
    });
    const isolated = await loadHandler({ TABLE_NAME, DYNAMODB_ENDPOINT: denying.endpoint });

    // Act
    const result = await isolated(createTestALBEvent({ path: `/picus/${randomUUID()}` }));

    // Assess
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(logLines[0])).toMatchObject({
      level: 50,
      msg: "request failed",
      statusCode: 500,
      error: { name: "AccessDeniedException" },
    });
    await denying.close();
  });

  it("answers 503, as the service does, when the table does not exist", async () => {
    // Prepare
    const isolated = await loadHandler({
      TABLE_NAME: "picus-no-such-table",
      DYNAMODB_ENDPOINT: dynalite.endpoint,
    });

    // Act
    const result = await isolated(createTestALBEvent({ path: `/picus/${randomUUID()}` }));

    // Assess
    expect(errorOf(result)).toEqual({
      statusCode: 503,
      error: "Service Unavailable",
      message: "The data store is unavailable; try again shortly",
    });
    expect(JSON.parse(logLines[0])).toMatchObject({
      level: 40,
      statusCode: 503,
      error: { name: "StoreUnavailable", cause: { name: "ResourceNotFoundException" } },
    });
  });

  it("fails at cold start with a clear message when TABLE_NAME is missing", async () => {
    // Act & Assess
    await expect(loadHandler({ TABLE_NAME: undefined })).rejects.toThrow(
      "Invalid configuration: TABLE_NAME is required (the DynamoDB table to delete from)",
    );
  });
});
