import { randomUUID } from "node:crypto";
import type { ALBResult } from "aws-lambda";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../lib/dynamo-client";
import type { ErrorBody } from "../../../lib/errors";
import {
  createLocalDynamoClient,
  ensureTable,
  startDynalite,
  type DynaliteServer,
} from "../../../lib/dynalite";
import { createLogger } from "../../../lib/logger";
import { emfMetrics, emfProblems } from "../../../lib/testing/emf";
import { startFaultyStore } from "../../../lib/testing/faulty-store";
import { createAuthorizer, type Authorize } from "../../../lib/auth";
import { ALL_SCOPES, testAuthSettings, testIssuer } from "../../../lib/testing/issuer";
import { createTestALBEvent, type TestALBEventOptions } from "../../test/alb-event";
import { createDeleteItemHandler, handler as lambdaHandler, type DeleteItemHandler } from ".";

const TABLE_NAME = "picus-handler-test";

function errorOf(result: ALBResult): ErrorBody {
  return JSON.parse(result.body ?? "") as ErrorBody;
}

function storeAt(endpoint: string, requestTimeoutMs = 2000, maxAttempts = 1) {
  return createDocumentClient({
    region: "us-east-1",
    endpoint,
    connectTimeoutMs: requestTimeoutMs,
    requestTimeoutMs,
    maxAttempts,
  });
}

describe("the DELETE handler against dynalite", () => {
  let dynalite: DynaliteServer;
  let store: DynamoDBDocumentClient;
  let handler: DeleteItemHandler;
  let logLines: string[];
  let authorize: Authorize;
  let bearer: string;

  const authorized = (options: TestALBEventOptions = {}) =>
    createTestALBEvent({ ...options, headers: { authorization: bearer, ...options.headers } });

  function handlerFor(store: DynamoDBDocumentClient, tableName = TABLE_NAME): DeleteItemHandler {
    const destination = { write: (line: string) => void logLines.push(line) };
    return createDeleteItemHandler({
      documentClient: store,
      tableName,
      logger: createLogger("info", destination),
      authorize,
    });
  }

  beforeAll(async () => {
    dynalite = await startDynalite();
    const admin = createLocalDynamoClient(dynalite.endpoint);
    await ensureTable(admin, TABLE_NAME);
    admin.destroy();
    store = storeAt(dynalite.endpoint);
    authorize = createAuthorizer(await testAuthSettings());
    bearer = `Bearer ${(await testIssuer()).sign(ALL_SCOPES)}`;
  });

  afterAll(async () => {
    store.destroy();
    await dynalite.close();
  });

  beforeEach(() => {
    logLines = [];
    handler = handlerFor(store);
  });

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
    const event = authorized({ path: `/picus/${key}`, headers: { "x-request-id": "r-1" } });

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({
      statusCode: 204,
      statusDescription: "204 No Content",
      headers: {
        "x-request-id": "r-1",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
      body: "",
      isBase64Encoded: false,
    });
    expect(await itemExists(key)).toBe(false);
  });

  it("answers 404 for a key that is not stored, also the second time", async () => {
    // Prepare
    const key = await putItem();
    await handler(authorized({ path: `/picus/${key}` }));

    // Act
    const result = await handler(authorized({ path: `/picus/${key}` }));

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

  it("ignores a base64-encoded body", async () => {
    // Prepare
    const key = await putItem();
    const body = Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString("base64");
    const event = authorized({ path: `/picus/${key}`, body, isBase64Encoded: true });

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
    const result = await handler(authorized({ path }));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.statusDescription).toBe("400 Bad Request");
    expect(result.headers?.["content-type"]).toBe("application/json; charset=utf-8");
    expect(errorOf(result)).toEqual({
      statusCode: 400,
      error: "Bad Request",
      message: expect.stringContaining(path) as string,
    });
  });

  it.each([
    ["/picus/get/3f1c2a0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", "GET, HEAD"],
    ["/picus/list", "GET, HEAD"],
    ["/picus/put", "POST"],
  ])("answers DELETE %s, a path of the service, 405 with Allow: %s", async (path, allow) => {
    // Act
    const result = await handler(authorized({ path }));

    // Assess
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe(allow);
  });

  it("answers 401 without a token and 403 with a token lacking picus/delete, deleting nothing", async () => {
    // Prepare
    const key = await putItem();
    const readOnly = `Bearer ${(await testIssuer()).sign(["picus/read", "picus/write"])}`;

    // Act
    const anonymous = await handler(createTestALBEvent({ path: `/picus/${key}` }));
    const forbidden = await handler(
      authorized({ path: `/picus/${key}`, headers: { authorization: readOnly } }),
    );

    // Assess
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers?.["www-authenticate"]).toBe('Bearer realm="picus"');
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers?.["www-authenticate"]).toContain('error="insufficient_scope"');
    expect(await itemExists(key)).toBe(true);
  });

  it("answers 405 to other methods", async () => {
    // Act
    const result = await handler(authorized({ method: "PATCH" }));

    // Assess
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe("DELETE");
    expect(errorOf(result).error).toBe("Method Not Allowed");
  });

  it("echoes the ALB trace id and logs one JSON line with it", async () => {
    // Prepare
    const key = await putItem();

    // Act
    const result = await handler(authorized({ path: `/picus/${key}` }), {
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
      req: { method: "DELETE", url: `/picus/${key}` },
      key,
      res: { statusCode: 204 },
    });
  });

  it("logs each invocation as an EMF document: a delete, then a conditional 404", async () => {
    // Prepare
    const key = await putItem();

    // Act
    await handler(authorized({ path: `/picus/${key}` }));
    await handler(authorized({ path: `/picus/${key}` }));

    // Assess
    const [deleted, missing] = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emfProblems(deleted)).toEqual([]);
    expect(emfProblems(missing)).toEqual([]);
    expect(deleted).toMatchObject({
      Service: "delete-function",
      Route: "DELETE /picus/{key}",
      StatusClass: "2xx",
      Requests: 1,
      Latency: expect.any(Number),
      StoreLatency: [expect.any(Number)],
    });
    expect(emfMetrics(deleted)).toEqual({
      Requests: [["Service", "Route", "StatusClass"]],
      Latency: [["Service", "Route", "StatusClass"]],
      StoreLatency: [["Service"]],
    });
    expect(missing).toMatchObject({
      StatusClass: "4xx",
      Reason: "not-found",
      ClientErrors: 1,
      Failure: "conditional",
      StoreFailures: 1,
    });
    expect(emfMetrics(missing)).toMatchObject({
      StoreFailures: [["Service", "Failure"]],
      ClientErrors: [["Service", "Reason"]],
    });
  });

  it("answers 503 quickly when the store does not answer", async () => {
    // Prepare
    const silent = await startFaultyStore();
    const isolated = handlerFor(storeAt(silent.endpoint, 200, 2));
    const startedAt = Date.now();

    // Act
    const result = await isolated(authorized({ path: `/picus/${randomUUID()}` }));

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
      res: { statusCode: 503 },
      err: { type: "StoreUnavailableError" },
    });
    await silent.close();
  });

  it("answers 500 and logs at error when the store refuses for another reason", async () => {
    // Prepare: a store that denies every call, as DynamoDB does without the IAM permission
    const denying = await startFaultyStore({
      type: "AccessDeniedException",
      message: "not authorized to perform dynamodb:DeleteItem",
    });
    const isolated = handlerFor(storeAt(denying.endpoint));

    // Act
    const result = await isolated(authorized({ path: `/picus/${randomUUID()}` }));

    // Assess
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(logLines[0])).toMatchObject({
      level: 50,
      msg: "request failed",
      res: { statusCode: 500 },
      err: { message: expect.stringContaining("not authorized") },
    });
    await denying.close();
  });

  it("answers 503, as the service does, when the table does not exist", async () => {
    // Prepare
    const isolated = handlerFor(store, "picus-no-such-table");

    // Act
    const result = await isolated(authorized({ path: `/picus/${randomUUID()}` }));

    // Assess
    expect(errorOf(result)).toEqual({
      statusCode: 503,
      error: "Service Unavailable",
      message: "The data store is unavailable; try again shortly",
    });
    expect(JSON.parse(logLines[0])).toMatchObject({
      level: 40,
      res: { statusCode: 503 },
      err: {
        type: "StoreUnavailableError",
        message: expect.stringContaining("Requested resource not found"),
      },
    });
  });

  it("fails at cold start, naming the variable, when TABLE_NAME is missing", async () => {
    // Prepare
    const tableName = process.env.TABLE_NAME;
    delete process.env.TABLE_NAME;

    // Act
    const invoked = lambdaHandler(createTestALBEvent());

    // Assess
    await expect(invoked).rejects.toThrow(/TABLE_NAME is not set/);
    if (tableName !== undefined) process.env.TABLE_NAME = tableName;
  });
});
