/**
 * The benchmark's baseline: a bare `node:http` server that makes the same DynamoDB calls as the
 * Nest service (through lib/dynamo-client.ts with the same settings) and answers with the same
 * bodies, so the difference between the two is what the framework costs.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../lib/dynamo-client";
import { errorBody } from "../lib/http-error";
import { parseItemKey } from "../lib/item-key";
import { API_PREFIX, HEALTH_CHECK_PATH } from "../lib/routes";
import { TABLE_HASH_KEY, type StoredItem } from "../lib/table";

const MAX_BODY_BYTES = 350 * 1024;
const GET_PREFIX = `${API_PREFIX}/get/`;
const PUT_PATH = `${API_PREFIX}/put`;

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

function positiveIntEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

// The service's settings and defaults (app/src/config/app.config.ts).
const tableName = requiredEnv("TABLE_NAME");
const requestTimeoutMs = positiveIntEnv("DYNAMODB_REQUEST_TIMEOUT_MS", 1000);
const documents = createDocumentClient({
  region: requiredEnv("AWS_REGION"),
  endpoint: process.env.DYNAMODB_ENDPOINT || undefined,
  connectTimeoutMs: requestTimeoutMs,
  requestTimeoutMs,
  maxAttempts: positiveIntEnv("DYNAMODB_MAX_ATTEMPTS", 3),
});

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function send(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  response.writeHead(statusCode, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
  });
  response.end(payload);
}

async function readJsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
  const contentType = request.headers["content-type"] ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, "Content-Type must be application/json");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "Request body is too large");
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "Request body must be valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, "Request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

async function putItem(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const data = await readJsonObject(request);
  const item: StoredItem = { id: randomUUID(), data, createdAt: new Date().toISOString() };
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: "attribute_not_exists(#key)",
      ExpressionAttributeNames: { "#key": TABLE_HASH_KEY },
    }),
  );
  send(response, 201, { key: item.id }, { location: `${GET_PREFIX}${item.id}` });
}

async function getItem(rawKey: string, response: ServerResponse): Promise<void> {
  const key = parseItemKey(decodeURIComponent(rawKey));
  if (key === undefined) throw new HttpError(400, "Key must be a UUID v4");
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: { [TABLE_HASH_KEY]: key } }),
  );
  if (Item === undefined) throw new HttpError(404, `No item with key ${key}`);
  const stored = Item as StoredItem;
  send(response, 200, { key: stored.id, data: stored.data, createdAt: stored.createdAt });
}

async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? "/").split("?", 1)[0];
  if (request.method === "GET" && path === HEALTH_CHECK_PATH) {
    send(response, 200, { status: "ok" });
  } else if (request.method === "POST" && path === PUT_PATH) {
    await putItem(request, response);
  } else if (request.method === "GET" && path.startsWith(GET_PREFIX)) {
    await getItem(path.slice(GET_PREFIX.length), response);
  } else {
    throw new HttpError(404, `Cannot ${request.method} ${path}`);
  }
}

function statusFor(error: unknown): { statusCode: number; message: string } {
  if (error instanceof HttpError) return { statusCode: error.statusCode, message: error.message };
  if (error instanceof ConditionalCheckFailedException) {
    return { statusCode: 409, message: "An item with this key already exists" };
  }
  if (error instanceof URIError) return { statusCode: 400, message: "Malformed path" };
  return { statusCode: 503, message: "The store is unavailable" };
}

const server = createServer((request, response) => {
  const header = request.headers["x-request-id"] ?? request.headers["x-amzn-trace-id"];
  response.setHeader("x-request-id", typeof header === "string" ? header : randomUUID());
  route(request, response).catch((error: unknown) => {
    const { statusCode, message } = statusFor(error);
    if (!response.headersSent) send(response, statusCode, errorBody(statusCode, message));
    else response.destroy();
  });
});

const port = positiveIntEnv("PORT", 3000);
server.listen(port, process.env.HOST ?? "127.0.0.1");

process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
