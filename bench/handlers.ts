/**
 * The DynamoDB work of the benchmark's reference servers: the same calls the Nest service makes
 * (through lib/dynamo-client.ts with the same settings), answered with the same bodies. The bare
 * `node:http` server and the plain Express server both use these, so what differs between them
 * and the service is the framework alone.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../lib/dynamo-client";
import { errorBody } from "../lib/http-error";
import { parseItemKey } from "../lib/item-key";
import { API_PREFIX } from "../lib/routes";
import { TABLE_HASH_KEY, type StoredItem } from "../lib/table";

const MAX_BODY_BYTES = 350 * 1024;
export const GET_PREFIX = `${API_PREFIX}/get/`;
export const PUT_PATH = `${API_PREFIX}/put`;

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

export const listenPort = positiveIntEnv("PORT", 3000);
export const listenHost = process.env.HOST ?? "127.0.0.1";

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The caller's x-request-id, else the load balancer's trace id, else a new one. */
export function requestId(request: IncomingMessage): string {
  const header = request.headers["x-request-id"] ?? request.headers["x-amzn-trace-id"];
  return typeof header === "string" ? header : randomUUID();
}

export function send(
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

export async function readJsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
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

/** Stores the object under a new key, never replacing an item; returns the key. */
export async function putItem(data: Record<string, unknown>): Promise<string> {
  const item: StoredItem = { id: randomUUID(), data, createdAt: new Date().toISOString() };
  await documents.send(
    new PutCommand({
      TableName: tableName,
      Item: item,
      ConditionExpression: "attribute_not_exists(#key)",
      ExpressionAttributeNames: { "#key": TABLE_HASH_KEY },
    }),
  );
  return item.id;
}

/** The item under a key (already percent-decoded), in the service's shape. */
export async function getItem(
  pathKey: string,
): Promise<{ key: string; data: unknown; createdAt: string }> {
  const key = parseItemKey(pathKey);
  if (key === undefined) throw new HttpError(400, "Key must be a UUID v4");
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: { [TABLE_HASH_KEY]: key } }),
  );
  if (Item === undefined) throw new HttpError(404, `No item with key ${key}`);
  const stored = Item as StoredItem;
  return { key: stored.id, data: stored.data, createdAt: stored.createdAt };
}

/** The status and error body for anything a handler throws. */
export function errorResponse(error: unknown): { statusCode: number; body: unknown } {
  const { statusCode, message } = statusFor(error);
  return { statusCode, body: errorBody(statusCode, message) };
}

function statusFor(error: unknown): { statusCode: number; message: string } {
  if (error instanceof HttpError) return { statusCode: error.statusCode, message: error.message };
  if (error instanceof ConditionalCheckFailedException) {
    return { statusCode: 409, message: "An item with this key already exists" };
  }
  if (error instanceof URIError || isMalformedPathError(error)) {
    return { statusCode: 400, message: "Malformed path" };
  }
  return { statusCode: 503, message: "The store is unavailable" };
}

/** Express answers a path parameter it cannot percent-decode with an error whose status is 400. */
function isMalformedPathError(error: unknown): boolean {
  return error instanceof Error && (error as Error & { status?: unknown }).status === 400;
}
