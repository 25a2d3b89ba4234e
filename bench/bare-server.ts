/**
 * The benchmark's baseline: a bare `node:http` server that makes the same DynamoDB calls as the
 * Nest service and answers with the same bodies, so the difference between the two is what the
 * framework costs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { HEALTH_CHECK_PATH } from "../lib/routes";
import {
  errorResponse,
  GET_PREFIX,
  getItem,
  HttpError,
  listenHost,
  listenPort,
  putItem,
  PUT_PATH,
  readJsonObject,
  requestId,
  send,
} from "./handlers";

async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? "/").split("?", 1)[0];
  if (request.method === "GET" && path === HEALTH_CHECK_PATH) {
    send(response, 200, { status: "ok" });
  } else if (request.method === "POST" && path === PUT_PATH) {
    const key = await putItem(await readJsonObject(request));
    send(response, 201, { key }, { location: `${GET_PREFIX}${key}` });
  } else if (request.method === "GET" && path.startsWith(GET_PREFIX)) {
    send(response, 200, await getItem(decodeURIComponent(path.slice(GET_PREFIX.length))));
  } else {
    throw new HttpError(404, `Cannot ${request.method} ${path}`);
  }
}

const server = createServer((request, response) => {
  response.setHeader("x-request-id", requestId(request));
  route(request, response).catch((error: unknown) => {
    const { statusCode, body } = errorResponse(error);
    if (!response.headersSent) send(response, statusCode, body);
    else response.destroy();
  });
});

server.listen(listenPort, listenHost);

process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
