/**
 * The servers `npm run bench` loads beside the service, bundled to dist/bench/servers.js and chosen
 * by the first argument: `express` (plain Express 5), `bare` (node:http), `open` (bare without the
 * token check), or `store` (dynalite with the table; sends its endpoint to the parent). They make
 * the service's DynamoDB calls with its client settings, body limit and token check, and answer
 * put and get with its statuses, headers and bodies. Errors, which end a run, keep their status
 * but not the service's body.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { buffer } from "node:stream/consumers";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import express from "express";
import { MAX_BODY_BYTES } from "../app/src/items/json-body.middleware";
import {
  authEnvironment,
  authSettings,
  dynamoSettings,
  parseEnvironment,
  portVariable,
  storeEnvironment,
} from "../lib/config";
import { createDocumentClient } from "../lib/dynamo-client";
import { createAuthorizer } from "../lib/auth";
import { parseItemKey } from "../lib/item-key";
import { REQUEST_ID_HEADER, resolveRequestId } from "../lib/request-id";
import { API_PREFIX, API_RESPONSE_HEADERS, HEALTH_CHECK_PATH, requiredScope } from "../lib/routes";
import { TABLE_HASH_KEY } from "../lib/table";

export const PUT_PATH = `${API_PREFIX}/put`;
export const GET_PREFIX = `${API_PREFIX}/get/`;
const HOST = "127.0.0.1";
const port = () => portVariable.parse(process.env.PORT);
const failure = (status: number, message: string) => Object.assign(new Error(message), { status });

function items() {
  const env = parseEnvironment(storeEnvironment, process.env);
  const documents = createDocumentClient(dynamoSettings(env));
  return {
    async put(data: unknown): Promise<string> {
      const object = typeof data === "object" && data !== null && !Array.isArray(data);
      if (!object) throw failure(400, "The request body must be a JSON object");
      const key = randomUUID();
      await documents.send(
        new PutCommand({
          TableName: env.TABLE_NAME,
          Item: { [TABLE_HASH_KEY]: key, data, createdAt: new Date().toISOString() },
          ConditionExpression: "attribute_not_exists(#key)",
          ExpressionAttributeNames: { "#key": TABLE_HASH_KEY },
        }),
      );
      return key;
    },
    async get(rawKey: string) {
      const key = parseItemKey(rawKey);
      if (key === undefined) throw failure(400, "The key must be a UUID v4");
      const { Item } = await documents.send(
        new GetCommand({ TableName: env.TABLE_NAME, Key: { [TABLE_HASH_KEY]: key } }),
      );
      if (Item === undefined) throw failure(404, `No item has the key ${key}`);
      return { key, data: Item.data as unknown, createdAt: Item.createdAt as unknown };
    },
  };
}

/** The service's token check (lib/auth.ts), or none for the `open` server. */
function authorizer(): (req: IncomingMessage, path: string) => Promise<void> {
  if (process.argv[2] === "open") return () => Promise.resolve();
  const authorize = createAuthorizer(authSettings(parseEnvironment(authEnvironment, process.env)));
  return async (req, path) => {
    const scope = requiredScope(req.method ?? "GET", path);
    if (scope !== undefined) await authorize(req.headers.authorization, scope);
  };
}

/** What the service sets on every response (app/src/common/request.middleware.ts). */
function setHeaders(req: IncomingMessage, res: ServerResponse, next?: () => void): void {
  res.setHeader(REQUEST_ID_HEADER, resolveRequestId(req.headersDistinct));
  for (const [name, value] of Object.entries(API_RESPONSE_HEADERS)) res.setHeader(name, value);
  next?.();
}

function startExpress(): void {
  const store = items();
  const app = express();
  // The service's settings (app/src/app.factory.ts).
  app.enable("case sensitive routing").enable("strict routing").disable("x-powered-by");
  app.disable("etag");
  app.use(setHeaders);
  const check = authorizer();
  app.use((req, _res, next) => void check(req, req.path).then(() => next(), next));
  app.get(HEALTH_CHECK_PATH, (_req, res) => void res.json({ status: "ok" }));
  app.post(PUT_PATH, express.json({ limit: MAX_BODY_BYTES }), async (req, res) => {
    const key = await store.put(req.body);
    res.status(201).location(`${GET_PREFIX}${key}`).json({ key });
  });
  app.get(`${GET_PREFIX}:key`, async (req, res) => {
    res.json(await store.get(req.params.key));
  });
  app.listen(port(), HOST);
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const payload = JSON.stringify(body);
  const type = "application/json; charset=utf-8";
  res.writeHead(code, { "content-type": type, "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

function startBare(): void {
  const store = items();
  const check = authorizer();
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? "/";
    await check(req, path);
    if (req.method === "GET" && path === HEALTH_CHECK_PATH) return send(res, 200, { status: "ok" });
    if (req.method === "POST" && path === PUT_PATH) {
      const body = await buffer(req);
      if (body.length > MAX_BODY_BYTES) throw failure(413, "The request body is too large");
      const key = await store.put(JSON.parse(body.toString("utf8")));
      res.setHeader("location", `${GET_PREFIX}${key}`);
      return send(res, 201, { key });
    }
    if (req.method !== "GET" || !path.startsWith(GET_PREFIX)) throw failure(404, "Not found");
    send(res, 200, await store.get(path.slice(GET_PREFIX.length)));
  };
  createServer((req, res) => {
    setHeaders(req, res);
    answer(req, res).catch((error: { status?: number; statusCode?: number; message: string }) => {
      send(res, error.statusCode ?? error.status ?? 500, { message: error.message });
    });
  }).listen(port(), HOST);
}

async function startStore(): Promise<void> {
  const { createLocalDynamoClient, ensureTable, startDynalite } = await import("../lib/dynalite");
  const { endpoint } = await startDynalite();
  const client = createLocalDynamoClient(endpoint);
  await ensureTable(client, String(process.env.TABLE_NAME));
  client.destroy();
  process.send?.(endpoint);
}

if (require.main === module) {
  const start = { express: startExpress, bare: startBare, open: startBare, store: startStore };
  Promise.resolve(start[process.argv[2] as keyof typeof start]()).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
